"""The event log (transactional outbox) in `project_streams` and `project_events`."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import msgspec

from db.tables import ProjectEventTable, ProjectStreamTable
from domain.events import LoggedBatch, LoggedEvent, ProjectEvent
from domain.ids import ProjectId

# An upsert that returns the new last number. On PostgreSQL it keeps the stream's row locked until
# the transaction ends, which is what orders a project's transactions; SQLite's writers take turns.
_NEXT_NUMBERS = (
    "INSERT INTO project_streams (project_id, seq, published_seq) VALUES ({}, {}, 0) "
    "ON CONFLICT (project_id) DO UPDATE SET seq = project_streams.seq + excluded.seq "
    "RETURNING seq"
)
_READ = (
    "SELECT seq, payload, fence FROM project_events "
    "WHERE project_id = {} AND seq > {} AND seq <= {} ORDER BY seq"
)
_UNPUBLISHED = "SELECT project_id, published_seq, seq FROM project_streams WHERE published_seq < seq LIMIT {}"
_MARK = "UPDATE project_streams SET published_seq = {} WHERE project_id = {} AND published_seq < {}"
_FORGET = "DELETE FROM project_events WHERE project_id = {} AND seq <= {}"
# A deleted project's stream goes once the broker has its last event (project.deleted).
_FORGET_STREAM = (
    "DELETE FROM project_streams WHERE project_id = {} AND published_seq = seq "
    "AND NOT EXISTS (SELECT 1 FROM projects WHERE id = {})"
)


class PiccoloEventLog:
    def __init__(self) -> None:
        self._encoder = msgspec.json.Encoder()

    async def append(
        self, project_id: ProjectId, events: Sequence[ProjectEvent], fence: str | None = None
    ) -> LoggedBatch:
        rows = await ProjectStreamTable.raw(_NEXT_NUMBERS, project_id, len(events))
        first = int(rows[0]["seq"]) - len(events) + 1
        logged = [
            LoggedEvent(
                seq=first + n,
                payload=self._encoder.encode(event),
                fence=fence if n == len(events) - 1 else None,
            )
            for n, event in enumerate(events)
        ]
        await ProjectEventTable.insert(
            *(
                ProjectEventTable(project_id=project_id, seq=e.seq, payload=e.payload, fence=e.fence)
                for e in logged
            )
        )
        return LoggedBatch(project_id=project_id, logged=logged, events=list(events))

    async def read(self, project_id: ProjectId, after: int, upto: int) -> list[LoggedEvent]:
        rows = await ProjectEventTable.raw(_READ, project_id, after, upto)
        return [LoggedEvent(seq=int(r["seq"]), payload=bytes(r["payload"]), fence=r["fence"]) for r in rows]

    async def head(self, project_id: ProjectId) -> int:
        row = (
            await ProjectStreamTable.select(ProjectStreamTable.seq)
            .where(ProjectStreamTable.project_id == project_id)
            .first()
        )
        return 0 if row is None else int(row["seq"])

    async def unpublished(self, limit: int) -> list[tuple[ProjectId, int, int]]:
        rows = await ProjectStreamTable.raw(_UNPUBLISHED, limit)
        return [(ProjectId(_uuid(r["project_id"])), int(r["published_seq"]), int(r["seq"])) for r in rows]

    async def mark_published(self, marks: dict[ProjectId, int]) -> None:
        for project_id, seq in sorted(marks.items(), key=lambda item: str(item[0])):
            await ProjectStreamTable.raw(_MARK, seq, project_id, seq)
            await ProjectEventTable.raw(_FORGET, project_id, seq)
            await ProjectStreamTable.raw(_FORGET_STREAM, project_id, project_id)


def _uuid(value: object) -> UUID:
    """Raw queries bring UUIDs back as UUIDs from PostgreSQL and as text from SQLite."""
    return value if isinstance(value, UUID) else UUID(str(value))
