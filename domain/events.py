"""The project events of API.md, as the services publish them (the channel adds `seq`)."""

from __future__ import annotations

from uuid import UUID

import msgspec

from domain.ids import ProjectId
from domain.views import DraftView, FragmentView, ImportView, MemberView, MessageView, ProjectView, RunView


class Event(msgspec.Struct, frozen=True, kw_only=True, rename="camel", tag_field="type"):
    pass


class MessageCreated(Event, tag="message.created", frozen=True, kw_only=True):
    message: MessageView


class MessageDelta(Event, tag="message.delta", frozen=True, kw_only=True):
    message_id: UUID
    offset: int
    """Length of the message's content before `text`."""
    text: str


class MessageCompleted(Event, tag="message.completed", frozen=True, kw_only=True):
    message: MessageView


class MessageUpdated(Event, tag="message.updated", frozen=True, kw_only=True):
    message: MessageView


class FileWritten(Event, tag="file.written", frozen=True, kw_only=True):
    message_id: UUID
    path: str
    content: str


class FragmentUpdated(Event, tag="fragment.updated", frozen=True, kw_only=True):
    fragment: FragmentView


class DraftUpdated(Event, tag="draft.updated", frozen=True, kw_only=True):
    draft: DraftView


class RunUpdated(Event, tag="run.updated", frozen=True, kw_only=True):
    run: RunView


class ImportUpdated(Event, tag="import.updated", frozen=True, kw_only=True):
    """An import was created or changed status; `import` is the body of GET /api/imports/{id}."""

    import_: ImportView = msgspec.field(name="import")


class ProjectUpdated(Event, tag="project.updated", frozen=True, kw_only=True):
    project: ProjectView


class ProjectDeleted(Event, tag="project.deleted", frozen=True, kw_only=True):
    project: ProjectView


class MemberUpdated(Event, tag="member.updated", frozen=True, kw_only=True):
    """Someone was added to the project, or their role changed."""

    member: MemberView


class MemberRemoved(Event, tag="member.removed", frozen=True, kw_only=True):
    """A member was removed or left; their tabs of the project close with 4403."""

    user_id: str


ProjectEvent = (
    MessageCreated
    | MessageDelta
    | MessageCompleted
    | MessageUpdated
    | FileWritten
    | FragmentUpdated
    | DraftUpdated
    | RunUpdated
    | ImportUpdated
    | ProjectUpdated
    | ProjectDeleted
    | MemberUpdated
    | MemberRemoved
)


class LoggedEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One event as the event log keeps it: its number in the project's commit order, its bytes."""

    seq: int
    payload: bytes
    fence: str | None = None
    """After this event the project's stream accepts live frames only from this run ("" none);
    None leaves it as it was."""


class LoggedBatch(msgspec.Struct, frozen=True, kw_only=True):
    """One transaction's events of one project, as the event log numbered and encoded them."""

    project_id: ProjectId
    logged: list[LoggedEvent]
    events: list[ProjectEvent] = []
    """The events themselves, when the batch comes straight from its transaction (not the log)."""

    @property
    def last_seq(self) -> int:
        return self.logged[-1].seq
