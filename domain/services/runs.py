"""Agent runs for the browser (seed: agentRuns.*): a WEBCONTAINER run is claimed and finished by
the user's own browser through the API; server-side runs belong to the agent worker."""

from __future__ import annotations

import msgspec

from domain.clock import Clock
from domain.entities import AgentRun, Files, Fragment, Message
from domain.enums import MessageRole, MessageStatus, MessageType, RunSource, RunStatus
from domain.errors import Conflict, InvalidTransition, NotFound
from domain.events import FragmentUpdated, MessageCompleted, MessageCreated, RunUpdated
from domain.ids import FragmentId, MessageId, ProjectId, RunId, UserId, new_id
from domain.inputs import RunRequest, RunResult
from domain.ports import EventPublisher, Storage, UserSignals, WorkerWakeups
from domain.rules.files import check_files
from domain.rules.naming import version_title
from domain.rules.permissions import Action
from domain.rules.prompts import MESSAGE_VALUE_MAX, check_length, check_message_value
from domain.rules.streaming import NO_RUN
from domain.rules.transitions import check_run_transition
from domain.services.base import Outbox, Page, Service, page_of
from domain.services.usage import UsageService
from domain.views import FragmentView, MessageView, RunView

WEBCONTAINER_URL = "webcontainer://local"
ERROR_MAX = 2000


class ClaimedRun(msgspec.Struct, frozen=True, kw_only=True):
    run: AgentRun
    files: Files
    """The project's latest code, from its latest fragment, to start the browser's sandbox from."""


class CompletedRun(msgspec.Struct, frozen=True, kw_only=True):
    run: AgentRun
    message: Message
    fragment: Fragment


class RunService(Service):
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

    async def enqueue_for_system(
        self, user_id: UserId, project_id: ProjectId, request: RunRequest
    ) -> AgentRun:
        """A PENDING WEBCONTAINER run (seed: agentRuns.enqueueForSystem)."""
        check_message_value(request.value)
        now = self.clock.now()
        async with self.committed() as outbox:
            project = (await self.access(user_id, project_id, Action.BUILD)).project
            await self.usage.check_model(project.user_id, request.model, "model")  # the owner's plan
            run = AgentRun(
                id=RunId(new_id()),
                project_id=project_id,
                user_id=project.user_id,  # a run's user is the owner, who pays for a server run
                source=RunSource.WEBCONTAINER,
                status=RunStatus.PENDING,
                value=request.value,
                model=request.model or project.model_preference,
                framework=request.framework or project.framework,
                created_at=now,
                updated_at=now,
            )
            await self.storage.runs.insert(run)
            outbox.add(project_id, RunUpdated(run=RunView.from_entity(run)))
        return run

    async def get(self, user_id: UserId, run_id: RunId, action: Action = Action.READ) -> AgentRun:
        """The run, if the user's role on its project allows `action`; a run of a project not
        shared with the user is as missing as none."""
        run = await self.storage.runs.get(run_id)
        if run is None:
            raise NotFound("Run not found.")
        try:
            await self.access(user_id, run.project_id, action)
        except NotFound:
            raise NotFound("Run not found.") from None
        return run

    async def list_for_project(
        self, user_id: UserId, project_id: ProjectId, limit: int, before: RunId | None = None
    ) -> Page[AgentRun]:
        """Newest first."""
        await self.access(user_id, project_id, Action.READ)
        rows = await self.storage.runs.list_for_project(project_id, limit + 1, before)
        return page_of(rows, limit, lambda run: run.id)

    async def claim(self, user_id: UserId, run_id: RunId) -> ClaimedRun:
        """RUNNING, claimed by the user, with the latest files (seed: agentRuns.claimRun).

        Of two concurrent claims exactly one wins; the other gets a Conflict.
        """
        async with self.committed() as outbox:
            run = await self._browser_run(user_id, run_id)
            if run.status != RunStatus.PENDING:
                raise Conflict("The run was already claimed.")
            now = self.clock.now()
            claimed = msgspec.structs.replace(
                run,
                status=RunStatus.RUNNING,
                claimed_by=user_id,
                attempts=run.attempts + 1,
                started_at=now,
                updated_at=now,
            )
            await self._transition(outbox, claimed, RunStatus.PENDING, "The run was already claimed.")
            latest = await self.storage.fragments.latest_for_project(run.project_id)
        return ClaimedRun(run=claimed, files=latest.files if latest else {})

    async def complete(self, user_id: UserId, run_id: RunId, result: RunResult) -> CompletedRun:
        """The ASSISTANT message with the summary, the fragment with the files, the run COMPLETED
        (seed: agentRuns.completeRun)."""
        check_length("summary", result.summary, 1, MESSAGE_VALUE_MAX)
        check_files(result.files)
        async with self.committed() as outbox:
            run = await self._claimed_run(user_id, run_id)
            now = self.clock.now()
            message = Message(
                id=MessageId(new_id()),
                project_id=run.project_id,
                content=result.summary,
                role=MessageRole.ASSISTANT,
                type=result.message_type,
                status=result.message_status,
                created_at=now,
                updated_at=now,
            )
            fragment = Fragment(
                id=FragmentId(new_id()),
                message_id=message.id,
                project_id=run.project_id,
                sandbox_url=WEBCONTAINER_URL,
                title=version_title(result.summary),
                files=result.files,
                framework=result.framework,
                metadata=result.metadata,
                created_at=now,
                updated_at=now,
            )
            done = msgspec.structs.replace(run, status=RunStatus.COMPLETED, finished_at=now, updated_at=now)
            await self.storage.messages.insert(message)
            await self.storage.fragments.save(fragment)
            outbox.add(run.project_id, MessageCreated(message=MessageView.from_entity(message, fragment)))
            outbox.add(run.project_id, FragmentUpdated(fragment=FragmentView.from_entity(fragment)))
            await self.touch_project(outbox, run.project_id, now)
            await self._transition(outbox, done, RunStatus.RUNNING, "The run is no longer running.")
        return CompletedRun(run=done, message=message, fragment=fragment)

    async def fail(self, user_id: UserId, run_id: RunId, error: str) -> AgentRun:
        """FAILED with the error (seed: agentRuns.failRun)."""
        check_length("error", error, 1, ERROR_MAX)
        async with self.committed() as outbox:
            run = await self._browser_run(user_id, run_id)
            check_run_transition(run.status, RunStatus.FAILED)
            now = self.clock.now()
            failed = msgspec.structs.replace(
                run, status=RunStatus.FAILED, error=error, finished_at=now, updated_at=now
            )
            await self._transition(outbox, failed, run.status, "The run changed in the meantime.")
        return failed

    async def cancel(self, user_id: UserId, run_id: RunId) -> AgentRun:
        """Stops a PENDING or RUNNING run (API.md): CANCELLED at once, its reply completed as it
        stood, no refund (the person chose to stop). A worker running it hears of it and stops
        within a second, completing the reply with what it had streamed; the files it wrote stay.
        A finished run is InvalidTransition (409)."""
        async with self.committed() as outbox:
            run = await self.get(user_id, run_id, Action.BUILD)
            check_run_transition(run.status, RunStatus.CANCELLED)
            now = self.clock.now()
            cancelled = msgspec.structs.replace(
                run, status=RunStatus.CANCELLED, stage=None, finished_at=now, updated_at=now
            )
            await self._transition(outbox, cancelled, run.status, "The run changed in the meantime.")
            await self.storage.checkpoints.delete(run.id)
            if run.status == RunStatus.RUNNING:  # the stream takes no live frame of it any more
                outbox.fence(run.project_id, NO_RUN)
            reply = (
                None
                if run.reply_message_id is None
                else await self.storage.messages.get(run.reply_message_id)
            )
            if reply is not None and reply.status == MessageStatus.STREAMING:
                done = msgspec.structs.replace(
                    reply, type=MessageType.RESULT, status=MessageStatus.COMPLETE, updated_at=now
                )
                await self.storage.messages.update(done)
                outbox.add(run.project_id, MessageCompleted(message=MessageView.from_entity(done)))
        return cancelled

    async def _browser_run(self, user_id: UserId, run_id: RunId) -> AgentRun:
        """A run the user's browser may act on: one who may build on the project, only
        WEBCONTAINER runs."""
        run = await self.get(user_id, run_id, Action.BUILD)
        if run.source != RunSource.WEBCONTAINER:
            raise Conflict("This run is executed by the server's agent worker.")
        return run

    async def _claimed_run(self, user_id: UserId, run_id: RunId) -> AgentRun:
        run = await self._browser_run(user_id, run_id)
        if run.status != RunStatus.RUNNING or run.claimed_by != user_id:
            raise InvalidTransition(f"The run is {run.status.value}, not running for you.")
        return run

    async def _transition(self, outbox: Outbox, run: AgentRun, expected: RunStatus, lost: str) -> None:
        if not await self.storage.runs.transition(run, expected):
            raise Conflict(lost)
        outbox.add(run.project_id, RunUpdated(run=RunView.from_entity(run)))
