"""Agent runs and imports: records whose status moves only from an expected one."""

from __future__ import annotations

from db.stores.rows import from_row, to_row, update_values
from db.tables import AgentRunTable, ImportTable
from domain.entities import AgentRun, Import
from domain.enums import ImportStatus, RunStatus
from domain.ids import ImportId, ProjectId, RunId

IMPORT_JSON = frozenset({"metadata"})
KEEP = frozenset({"id", "project_id", "user_id", "created_at"})


class PiccoloRunStore:
    async def insert(self, run: AgentRun) -> None:
        await AgentRunTable.insert(AgentRunTable(**to_row(run)))

    async def get(self, run_id: RunId) -> AgentRun | None:
        row = await AgentRunTable.select().where(AgentRunTable.id == run_id).first()
        return None if row is None else from_row(row, AgentRun)

    async def list_for_project(
        self, project_id: ProjectId, limit: int, before: RunId | None = None
    ) -> list[AgentRun]:
        query = AgentRunTable.select().where(AgentRunTable.project_id == project_id)
        if before is not None:
            query = query.where(AgentRunTable.id < before)
        rows = await query.order_by(AgentRunTable.id, ascending=False).limit(limit)
        return [from_row(row, AgentRun) for row in rows]

    async def transition(self, run: AgentRun, expected: RunStatus) -> bool:
        written = (
            await AgentRunTable.update(update_values(run, KEEP))
            .where((AgentRunTable.id == run.id) & (AgentRunTable.status == expected.value))
            .returning(AgentRunTable.id)
        )
        return bool(written)


class PiccoloImportStore:
    async def insert(self, record: Import) -> None:
        await ImportTable.insert(ImportTable(**to_row(record, IMPORT_JSON)))

    async def get(self, import_id: ImportId) -> Import | None:
        row = await ImportTable.select().where(ImportTable.id == import_id).first()
        return None if row is None else from_row(row, Import, IMPORT_JSON)

    async def list_for_project(
        self, project_id: ProjectId, limit: int, before: ImportId | None = None
    ) -> list[Import]:
        query = ImportTable.select().where(ImportTable.project_id == project_id)
        if before is not None:
            query = query.where(ImportTable.id < before)
        rows = await query.order_by(ImportTable.id, ascending=False).limit(limit)
        return [from_row(row, Import, IMPORT_JSON) for row in rows]

    async def transition(self, record: Import, expected: ImportStatus) -> bool:
        written = (
            await ImportTable.update(update_values(record, KEEP, IMPORT_JSON))
            .where((ImportTable.id == record.id) & (ImportTable.status == expected.value))
            .returning(ImportTable.id)
        )
        return bool(written)
