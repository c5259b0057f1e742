"""The shared code documents' update log (`doc_updates`)."""

from __future__ import annotations

from collections.abc import Sequence

from db.stores.rows import from_row, to_row
from db.tables import DocUpdateTable
from domain.entities import DocUpdate
from domain.ids import DocUpdateId, ProjectId


class PiccoloDocLog:
    async def append(self, update: DocUpdate) -> None:
        await DocUpdateTable.insert(DocUpdateTable(**to_row(update)))

    async def read(self, project_id: ProjectId) -> list[DocUpdate]:
        rows = (
            await DocUpdateTable.select()
            .where(DocUpdateTable.project_id == project_id)
            .order_by(DocUpdateTable.id)
        )
        return [from_row(row, DocUpdate) for row in rows]

    async def compact(self, merged: DocUpdate, replaced: Sequence[DocUpdateId]) -> None:
        await DocUpdateTable.insert(DocUpdateTable(**to_row(merged)))
        if replaced:
            await DocUpdateTable.delete().where(DocUpdateTable.id.is_in(list(replaced)))
