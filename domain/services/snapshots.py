"""What a tab needs to draw a project from scratch: the state a `hello` frame carries."""

from __future__ import annotations

import msgspec

from domain.clock import Clock
from domain.errors import NotFound
from domain.ids import ProjectId
from domain.ports import EventPublisher, Storage
from domain.services.base import Service
from domain.services.messages import MessageService
from domain.views import DraftView, FragmentView, MemberView, ProjectView, RunView, SummarizedMessage

SNAPSHOT_MESSAGES = 200
"""The latest messages only; older ones page in through the REST list."""
SNAPSHOT_RUNS = 20


class ProjectSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    commit: int
    """The event-log number of the project's last event this state includes."""
    project: ProjectView
    members: list[MemberView]
    """Who may watch the project: the owner first."""
    messages: list[SummarizedMessage]
    """Oldest first, with content as stored (a streaming message as far as it was saved); their
    fragments summarized (the latest one is `fragment`, whole)."""
    fragment: FragmentView | None
    draft: DraftView | None
    runs: list[RunView]
    """Oldest first."""


class SnapshotService(Service):
    def __init__(
        self, storage: Storage, events: EventPublisher, clock: Clock, messages: MessageService
    ) -> None:
        super().__init__(storage, events, clock)
        self.messages = messages

    async def load(self, project_id: ProjectId) -> ProjectSnapshot:
        """The project as of one commit, read in one consistent snapshot of the database; whoever
        may watch it (`members`) is the caller's to check. NotFound if there is none."""
        async with self.storage.snapshot():
            # The number first: under weaker isolation the rows may only be newer than it, and a
            # tab applying an event it already has changes nothing.
            commit = await self.storage.events.head(project_id)
            project = await self.storage.projects.get(project_id)
            if project is None:
                raise NotFound("Project not found.")
            members = await self.storage.members.list_for_project(project_id)
            profiles = await self.storage.profiles.get_many([project.user_id, *(m.user_id for m in members)])
            latest = await self.storage.messages.list_latest(project_id, SNAPSHOT_MESSAGES)
            fragment = await self.storage.fragments.latest_for_project(project_id)
            draft = await self.storage.drafts.get_for_project(project_id)
            runs = await self.storage.runs.list_for_project(project_id, SNAPSHOT_RUNS)
            messages = [SummarizedMessage.of(m) for m in await self.messages.views(latest)]
        return ProjectSnapshot(
            commit=commit,
            project=ProjectView.from_entity(project),
            members=MemberView.members_of(project, members, profiles),
            messages=messages,
            fragment=None if fragment is None else FragmentView.from_entity(fragment),
            draft=None if draft is None else DraftView.from_entity(draft),
            runs=[RunView.from_entity(r) for r in reversed(runs)],
        )
