"""Projects (seed: projects.*): create from a prompt or plain, read, rename, delete."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import msgspec

from domain.clock import Clock
from domain.entities import Fragment, Project, ProjectAccess
from domain.enums import (
    DEFAULT_FRAMEWORK,
    Framework,
    Plan,
)
from domain.errors import PlanRequired
from domain.events import ProjectDeleted, ProjectUpdated
from domain.idempotency import ProjectCreated, RequestKey
from domain.ids import ProjectId, UserId, new_id
from domain.inputs import NewAttachment, ProjectChanges
from domain.ports import EventPublisher, Storage, UserSignals, WorkerWakeups
from domain.rules.naming import default_project_name
from domain.rules.permissions import Action
from domain.rules.prompts import check_project_message, check_project_name
from domain.services.base import Service, set_fields
from domain.services.idempotency import Idempotency
from domain.services.turns import check_attachment_imports, enqueue_turn
from domain.services.usage import UsageService
from domain.views import ProjectView

PLANS_WITH_SCREENSHOTS = frozenset({Plan.PRO, Plan.UNLIMITED})


class ProjectService(Service):
    def __init__(
        self,
        storage: Storage,
        events: EventPublisher,
        clock: Clock,
        usage: UsageService,
        *,
        wakeups: WorkerWakeups | None = None,
        signals: UserSignals | None = None,
    ) -> None:
        super().__init__(storage, events, clock, wakeups=wakeups, signals=signals)
        self.usage = usage
        self.idempotency = Idempotency(storage, clock)

    async def create_with_message(
        self,
        user_id: UserId,
        message: str,
        *,
        framework: Framework = DEFAULT_FRAMEWORK,
        image_url: str | None = None,
        attachments: Sequence[NewAttachment] = (),
        model: str | None = None,
        key: RequestKey | None = None,
    ) -> ProjectView:
        """A project, its first USER message and a PENDING run, paid with one credit; with `key`,
        once per key (a repeat gets the first answer).

        Seeds: projects.createWithMessage and createWithMessageAndAttachments; 002's POST.
        """
        async with self.idempotency.once(user_id, key, ProjectCreated) as attempt:
            if attempt.replay is not None:
                return attempt.replay.project
            check_project_message(message)
            await check_attachment_imports(self.storage, user_id, attachments)
            now = self.clock.now()
            if image_url is not None and await self.usage.plan_of(user_id, now) not in PLANS_WITH_SCREENSHOTS:
                raise PlanRequired("A design screenshot (imageUrl) needs a Pro subscription.")
            await self.usage.check_model(user_id, model, "model")
            project = Project(
                id=ProjectId(new_id()),
                user_id=user_id,
                name=default_project_name(now),
                framework=framework,
                model_preference=model,
                image_url=image_url,
                created_at=now,
                updated_at=now,
            )
            created = ProjectCreated(project=ProjectView.from_entity(project))
            async with self.committed() as outbox:
                await self.storage.projects.insert(project)
                await enqueue_turn(
                    self.storage, outbox, self.usage, project, user_id, message, attachments, now
                )
                outbox.listing_changed([user_id], project.id)
                await attempt.seal(created)
            return created.project

    async def create(
        self, user_id: UserId, name: str, framework: Framework, key: RequestKey | None = None
    ) -> ProjectView:
        """A plain project, no credit and no run (seed: projects.create / createForUser); with
        `key`, once per key."""
        async with self.idempotency.once(user_id, key, ProjectCreated) as attempt:
            if attempt.replay is not None:
                return attempt.replay.project
            check_project_name(name)
            now = self.clock.now()
            project = Project(
                id=ProjectId(new_id()),
                user_id=user_id,
                name=name.strip(),
                framework=framework,
                created_at=now,
                updated_at=now,
            )
            created = ProjectCreated(project=ProjectView.from_entity(project))
            async with self.committed() as outbox:
                await self.storage.projects.insert(project)
                await attempt.seal(created)
                outbox.listing_changed([user_id], project.id)
            return created.project

    async def list_projects(self, user_id: UserId) -> list[ProjectAccess]:
        """The projects the user owns or is a member of, with their role on each."""
        return await self.storage.projects.list_for_user(user_id)

    async def get(self, user_id: UserId, project_id: ProjectId) -> tuple[ProjectAccess, Fragment | None]:
        """The project with the user's role and its latest fragment, if any."""
        access = await self.access(user_id, project_id, Action.READ)
        return access, await self.storage.fragments.latest_for_project(project_id)

    async def update(self, user_id: UserId, project_id: ProjectId, changes: ProjectChanges) -> Project:
        """Seed: projects.update and updateForUser."""
        if not isinstance(changes.name, msgspec.UnsetType):
            check_project_name(changes.name)
        async with self.committed() as outbox:
            project = (await self.access(user_id, project_id, Action.BUILD)).project
            if isinstance(changes.model_preference, str):  # the owner's plan decides, as they pay
                await self.usage.check_model(project.user_id, changes.model_preference, "modelPreference")
            updated = _apply(project, changes, self.clock.now())
            await self.storage.projects.update(updated)
            outbox.add(project_id, ProjectUpdated(project=ProjectView.from_entity(updated)))
        return updated

    async def delete(self, user_id: UserId, project_id: ProjectId) -> Project:
        """Removes the project with its messages, fragments, attachments, draft, runs and imports;
        answers it as it was, so its sandbox can go too."""
        async with self.committed() as outbox:
            project = (await self.access(user_id, project_id, Action.DELETE)).project
            members = await self.storage.members.list_for_project(project_id)
            outbox.listing_changed([project.user_id, *(m.user_id for m in members)], project_id)
            await self.storage.projects.delete(project_id)
            outbox.add(project_id, ProjectDeleted(project=ProjectView.from_entity(project)))
        return project

    async def exists(self, project_id: ProjectId) -> bool:
        """Whether the project exists, whoever owns it: its preview is public while it does."""
        return await self.storage.projects.get(project_id) is not None


def _apply(project: Project, changes: ProjectChanges, now: datetime) -> Project:
    fields = set_fields(changes)
    if "name" in fields:
        fields["name"] = str(fields["name"]).strip()
    return msgspec.structs.replace(project, **fields, updated_at=now)
