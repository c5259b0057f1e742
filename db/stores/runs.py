"""Agent runs and imports: records whose status moves only from an expected one; a running run's
checkpoint."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from piccolo.custom_types import Combinable

from db.stores.rows import from_row, to_row, update_values
from db.tables import AgentRunTable, ImportTable, RunCheckpointTable
from domain.entities import AgentRun, Import, RunCheckpoint, RunQueue
from domain.enums import ImportStatus, RunSource, RunStatus
from domain.ids import ImportId, ProjectId, RunId

IMPORT_JSON = frozenset({"metadata"})
RUN_JSON = frozenset({"usage"})
CHECKPOINT_JSON = frozenset({"state"})
KEEP = frozenset({"id", "project_id", "user_id", "created_at"})


# The first in line of its project, behind no RUNNING run of it, and not waiting for an import of
# its message: the agent should see the imported design the message refers to. Ids are UUIDv7, so their order
# is the order the runs were asked for, in both engines (PostgreSQL uuid, SQLite text).
_NEXT_PENDING = """
SELECT r.id FROM agent_runs r
WHERE r.status = 'PENDING' AND r.source = 'SERVER'
  AND NOT EXISTS (
    SELECT 1 FROM agent_runs o
    WHERE o.project_id = r.project_id AND o.source = 'SERVER'
      AND (o.status = 'RUNNING' OR (o.status = 'PENDING' AND o.id < r.id))
  )
  AND NOT EXISTS (
    SELECT 1 FROM imports i
    WHERE i.status IN ('PENDING', 'PROCESSING')
      AND (i.message_id = r.message_id
           OR i.id IN (SELECT a.import_id FROM attachments a WHERE a.message_id = r.message_id))
  )
ORDER BY r.id
LIMIT 1
"""
# Claimers skip a run another claimer has locked instead of queueing behind it. The locked run is
# still PENDING to the others, so the runs behind it in its project stay out of reach meanwhile.
_SKIP_LOCKED = "FOR UPDATE OF r SKIP LOCKED"


class PiccoloRunStore:
    def __init__(self, can_lock_rows: bool) -> None:
        # Without row locks (SQLite) the immediate transaction already serializes claimers.
        self.can_lock_rows = can_lock_rows

    async def insert(self, run: AgentRun) -> None:
        await AgentRunTable.insert(AgentRunTable(**to_row(run, RUN_JSON)))

    async def get(self, run_id: RunId) -> AgentRun | None:
        row = await AgentRunTable.select().where(AgentRunTable.id == run_id).first()
        return None if row is None else from_row(row, AgentRun, RUN_JSON)

    async def list_for_project(
        self, project_id: ProjectId, limit: int, before: RunId | None = None
    ) -> list[AgentRun]:
        query = AgentRunTable.select().where(AgentRunTable.project_id == project_id)
        if before is not None:
            query = query.where(AgentRunTable.id < before)
        rows = await query.order_by(AgentRunTable.id, ascending=False).limit(limit)
        return [from_row(row, AgentRun, RUN_JSON) for row in rows]

    async def transition(self, run: AgentRun, expected: RunStatus) -> bool:
        written = (
            await AgentRunTable.update(update_values(run, KEEP, RUN_JSON))
            .where((AgentRunTable.id == run.id) & (AgentRunTable.status == expected.value))
            .returning(AgentRunTable.id)
        )
        return bool(written)

    async def update_held(self, run: AgentRun, held: AgentRun) -> bool:
        claimant = (
            AgentRunTable.claimed_by.is_null()
            if held.claimed_by is None
            else AgentRunTable.claimed_by == held.claimed_by
        )
        written = (
            await AgentRunTable.update(update_values(run, KEEP, RUN_JSON))
            .where(
                (AgentRunTable.id == held.id)
                & (AgentRunTable.status == held.status.value)
                & (AgentRunTable.attempts == held.attempts)
                & claimant
            )
            .returning(AgentRunTable.id)
        )
        return bool(written)

    async def next_pending(self) -> AgentRun | None:
        sql = _NEXT_PENDING + (_SKIP_LOCKED if self.can_lock_rows else "")
        rows = await AgentRunTable.raw(sql)
        return None if not rows else await self.get(RunId(UUID(str(rows[0]["id"]))))

    async def next_expired(self, now: datetime) -> AgentRun | None:
        query = (
            AgentRunTable.select()
            .where(
                (AgentRunTable.status == RunStatus.RUNNING.value)
                & (AgentRunTable.source == RunSource.SERVER.value)
                & (AgentRunTable.lease_expires_at < now)
            )
            .order_by(AgentRunTable.id)
        )
        if self.can_lock_rows:
            query = query.lock_rows("UPDATE", skip_locked=True)
        row = await query.first()
        return None if row is None else from_row(row, AgentRun, RUN_JSON)

    async def queue(self) -> RunQueue:
        waiting = (AgentRunTable.status == RunStatus.PENDING.value) & (
            AgentRunTable.source == RunSource.SERVER.value
        )
        depth = await AgentRunTable.count().where(waiting)
        # Ids are UUIDv7: the smallest is the oldest, found on the queue's index.
        oldest = (
            await AgentRunTable.select(AgentRunTable.created_at)
            .where(waiting)
            .order_by(AgentRunTable.id)
            .first()
        )
        return from_row({"depth": depth, "oldest_created_at": oldest and oldest["created_at"]}, RunQueue)


class PiccoloCheckpointStore:
    async def save(self, checkpoint: RunCheckpoint) -> None:
        replaced = [c for c in RunCheckpointTable._meta.columns if c._meta.name != "run_id"]
        await RunCheckpointTable.insert(
            RunCheckpointTable(**to_row(checkpoint, CHECKPOINT_JSON))
        ).on_conflict(target=RunCheckpointTable.run_id, action="DO UPDATE", values=replaced)

    async def get(self, run_id: RunId) -> RunCheckpoint | None:
        row = await RunCheckpointTable.select().where(RunCheckpointTable.run_id == run_id).first()
        return None if row is None else from_row(row, RunCheckpoint, CHECKPOINT_JSON)

    async def delete(self, run_id: RunId) -> None:
        await RunCheckpointTable.delete().where(RunCheckpointTable.run_id == run_id)


class PiccoloImportStore:
    def __init__(self, can_lock_rows: bool) -> None:
        self.can_lock_rows = can_lock_rows

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

    async def next_pending(self) -> Import | None:
        return await self._first(ImportTable.status == ImportStatus.PENDING.value)

    async def next_stale(self, before: datetime) -> Import | None:
        return await self._first(
            (ImportTable.status == ImportStatus.PROCESSING.value) & (ImportTable.updated_at < before)
        )

    async def _first(self, where: Combinable) -> Import | None:
        query = ImportTable.select().where(where).order_by(ImportTable.id)
        if self.can_lock_rows:
            query = query.lock_rows("UPDATE", skip_locked=True)
        row = await query.first()
        return None if row is None else from_row(row, Import, IMPORT_JSON)
