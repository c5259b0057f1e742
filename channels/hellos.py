"""The state a `hello` carries, made once per point of a project's stream and shared by every tab
that joins there (a reconnect storm after a deploy is a thousand joins at once).

A hello's state must be exactly the project as of its `seq`: the stream's head when it holds
precisely the commits the database state includes. A stream behind the database is brought up to
date from the event log first (the committing process may still be publishing, or have died).
"""

from __future__ import annotations

import msgspec

from channels.broker import Broker, Head, seq_of
from channels.frames import HelloState, encode_state
from channels.publisher import BrokerPublisher
from domain.enums import MessageStatus, ProjectRole
from domain.events import MessageDelta
from domain.ids import ProjectId
from domain.rules.streaming import apply_delta
from domain.services.snapshots import ProjectSnapshot, SnapshotService
from domain.views import SummarizedMessage

SNAPSHOT_ATTEMPTS = 4
_DELTA_MARK = b'"type":"message.delta"'
_delta_decoder = msgspec.json.Decoder(MessageDelta)


class SharedHello(msgspec.Struct, frozen=True):
    epoch: str
    seq: int
    roles: dict[str, ProjectRole]
    """Who may watch the project, with their roles."""
    state: bytes
    """The encoded HelloState."""


class HelloLoader:
    def __init__(self, broker: Broker, snapshots: SnapshotService, publisher: BrokerPublisher) -> None:
        self.broker = broker
        self.snapshots = snapshots
        self.publisher = publisher

    async def load(self, project_id: ProjectId) -> SharedHello:
        """Raises NotFound for a project that does not exist (any more)."""
        head, snapshot = await self._consistent(project_id)
        state = HelloState(
            epoch=head.epoch,
            seq=head.seq,
            project=snapshot.project,
            members=snapshot.members,
            messages=await self._caught_up(project_id, snapshot.messages, head.seq),
            fragment=snapshot.fragment,
            draft=snapshot.draft,
            runs=snapshot.runs,
        )
        roles = {member.user_id: member.role for member in snapshot.members}
        return SharedHello(head.epoch, head.seq, roles, encode_state(state))

    async def _consistent(self, project_id: ProjectId) -> tuple[Head, ProjectSnapshot]:
        for _ in range(SNAPSHOT_ATTEMPTS):
            head = (await self.broker.read(project_id)).head
            snapshot = await self.snapshots.load(project_id)
            if not head.epoch:
                head = await self.broker.open(project_id, snapshot.commit)
            if head.commit == snapshot.commit:
                return head, snapshot
            if head.commit < snapshot.commit:
                await self.publisher.catch_up(project_id, snapshot.commit)
        # Commits keep coming faster than we read: this state is a little ahead of the stream's
        # head, and the events in between, which the tab gets again, only repeat what it shows.
        return head, snapshot

    async def _caught_up(
        self, project_id: ProjectId, messages: list[SummarizedMessage], seq: int
    ) -> list[SummarizedMessage]:
        """A streaming message is saved a few times a second while its deltas go out at once, so
        its stored content may lag the stream at `seq`; the deltas up to `seq` still in history
        bring it level, and the tab can take every later delta as it comes."""
        streaming = {m.id: m.content for m in messages if m.status == MessageStatus.STREAMING}
        if not streaming:
            return messages
        history = await self.broker.read(project_id, 0)
        for frame in history.frames:
            if seq_of(frame) > seq:
                break
            if _DELTA_MARK not in frame:
                continue
            delta = _delta_decoder.decode(frame)
            current = streaming.get(delta.message_id)
            if current is not None:
                streaming[delta.message_id] = apply_delta(current, delta.offset, delta.text) or current
        return [
            msgspec.structs.replace(m, content=streaming[m.id]) if m.id in streaming else m for m in messages
        ]
