"""Fragments (one per message) and drafts (one per project)."""

from __future__ import annotations

from collections.abc import Sequence

from db.stores.rows import from_row, to_row, update_values
from db.tables import FragmentDraftTable, FragmentTable
from domain.entities import Fragment, FragmentDraft
from domain.ids import FragmentId, MessageId, ProjectId

FRAGMENT_JSON = frozenset({"files", "metadata"})
DRAFT_JSON = frozenset({"files"})


class PiccoloFragmentStore:
    async def get(self, fragment_id: FragmentId) -> Fragment | None:
        row = await FragmentTable.select().where(FragmentTable.id == fragment_id).first()
        return None if row is None else from_row(row, Fragment, FRAGMENT_JSON)

    async def get_for_message(self, message_id: MessageId) -> Fragment | None:
        row = await FragmentTable.select().where(FragmentTable.message_id == message_id).first()
        return None if row is None else from_row(row, Fragment, FRAGMENT_JSON)

    async def save(self, fragment: Fragment) -> None:
        # An upsert on the message: two saves racing for one message leave one fragment, not an error.
        replaced = [
            c for c in FragmentTable._meta.columns if c._meta.name not in ("id", "message_id", "created_at")
        ]
        await FragmentTable.insert(FragmentTable(**to_row(fragment, FRAGMENT_JSON))).on_conflict(
            target=FragmentTable.message_id, action="DO UPDATE", values=replaced
        )

    async def list_for_messages(self, message_ids: Sequence[MessageId]) -> list[Fragment]:
        if not message_ids:
            return []
        rows = await FragmentTable.select().where(FragmentTable.message_id.is_in(list(message_ids)))
        return [from_row(row, Fragment, FRAGMENT_JSON) for row in rows]

    async def latest_for_project(self, project_id: ProjectId) -> Fragment | None:
        rows = await self.list_for_project(project_id, 1)
        return rows[0] if rows else None

    async def list_for_project(
        self, project_id: ProjectId, limit: int, before: FragmentId | None = None
    ) -> list[Fragment]:
        query = FragmentTable.select().where(FragmentTable.project_id == project_id)
        if before is not None:
            query = query.where(FragmentTable.id < before)
        rows = await query.order_by(FragmentTable.id, ascending=False).limit(limit)
        return [from_row(row, Fragment, FRAGMENT_JSON) for row in rows]


class PiccoloDraftStore:
    async def get_for_project(self, project_id: ProjectId) -> FragmentDraft | None:
        row = await FragmentDraftTable.select().where(FragmentDraftTable.project_id == project_id).first()
        return None if row is None else from_row(row, FragmentDraft, DRAFT_JSON)

    async def insert_if_missing(self, draft: FragmentDraft) -> FragmentDraft:
        await FragmentDraftTable.insert(FragmentDraftTable(**to_row(draft, DRAFT_JSON))).on_conflict(
            target=FragmentDraftTable.project_id, action="DO NOTHING"
        )
        stored = await self.get_for_project(draft.project_id)
        return stored if stored is not None else draft

    async def replace(self, draft: FragmentDraft, expected_version: int) -> bool:
        values = update_values(draft, frozenset({"id", "project_id", "created_at"}), DRAFT_JSON)
        written = (
            await FragmentDraftTable.update(values)
            .where((FragmentDraftTable.id == draft.id) & (FragmentDraftTable.version == expected_version))
            .returning(FragmentDraftTable.id)
        )
        return bool(written)
