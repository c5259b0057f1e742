"""Server-side agent runs as the worker drives them: the queue, leases, the streamed reply and the
run's end (seed: agentRuns.* and messages.*ForUser, called with the run's own user).

Every write a worker makes goes through `_held`, which writes only while the run is still the one
this worker claimed: a worker whose lease ran out cannot overwrite the attempt that replaced it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import msgspec

from domain.clock import Clock
from domain.entities import (
    AgentRun,
    Attachment,
    Files,
    Fragment,
    JsonObject,
    Message,
    Project,
    RunCheckpoint,
    RunQueue,
    RunUsage,
)
from domain.enums import Framework, MessageRole, MessageStatus, MessageType, RunStatus
from domain.errors import LeaseLost
from domain.events import (
    FragmentUpdated,
    MessageCompleted,
    MessageCreated,
    ProjectUpdated,
    RunUpdated,
)
from domain.ids import FragmentId, MessageId, new_id
from domain.ports import EventPublisher, SharedDocs, Storage, UserSignals, WorkerWakeups
from domain.rules.files import writable_files
from domain.rules.naming import is_default_project_name
from domain.rules.streaming import NO_RUN, stream_fence
from domain.services.base import Outbox, Service
from domain.services.drafts import follow_files
from domain.services.imports import SUMMARY_KEY
from domain.services.usage import UsageService
from domain.views import FragmentView, MessageView, ProjectView, RunView

MAX_ATTEMPTS = 2
"""A run whose worker died is taken again once; after a second lost lease it fails."""
HISTORY_MESSAGES = 50
"""Earlier messages a run is given; the worker's context budget decides how many reach the model."""
ABANDONED = "The run was interrupted twice (its worker stopped answering); your credit was refunded."


class RunContext(msgspec.Struct, frozen=True, kw_only=True):
    """What the agent starts from: the project, the conversation and the latest code."""

    project: Project
    history: list[Message]
    """The conversation before the request the run answers, oldest first."""
    attachments: list[Attachment]
    """The attachments of the USER message the run answers."""
    files: Files
    """The app the run continues from: the latest fragment's files, or the draft's when it is newer."""
    checkpoint: RunCheckpoint | None = None
    """Where an earlier attempt of the run stood after its last completed round."""
    reply: str = ""
    """The reply's text as stored: what an earlier attempt streamed (its tabs have it already)."""


class RunOutcome(msgspec.Struct, frozen=True, kw_only=True):
    content: str
    """The reply's final text, exactly as it was streamed."""
    title: str
    files: Files
    framework: Framework
    sandbox_url: str
    metadata: JsonObject
    project_name: str | None = None
    """A short name for a project that still has the product's default name."""
    usage: RunUsage | None = None


class AgentRunService(Service):
    def __init__(
        self,
        storage: Storage,
        events: EventPublisher,
        clock: Clock,
        usage: UsageService,
        max_attempts: int = MAX_ATTEMPTS,
        *,
        docs: SharedDocs,
        wakeups: WorkerWakeups | None = None,
        signals: UserSignals | None = None,
    ) -> None:
        super().__init__(storage, events, clock, wakeups=wakeups, signals=signals)
        self.usage = usage
        self.max_attempts = max_attempts
        self.docs = docs

    async def claim_next(self, worker_id: str, lease: timedelta) -> AgentRun | None:
        """The next run this worker may execute, RUNNING and leased to it, with its reply message
        STREAMING (empty, or as an earlier attempt left it); None when no run may start now.

        A run whose lease ran out is taken again first, or failed (and refunded) once it has had
        its attempts, so nothing stays RUNNING after its worker died.
        """
        while True:
            async with self.committed() as outbox:
                now = self.clock.now()
                expired = await self.storage.runs.next_expired(now)
                if expired is not None and expired.attempts >= self.max_attempts:
                    await self._fail(outbox, expired, ABANDONED)
                    continue
                waiting = expired or await self.storage.runs.next_pending()
                if waiting is None:
                    return None
                # Read after the run was found: a run found free started after its predecessor ended.
                now = self.clock.now()
                claimed = msgspec.structs.replace(
                    waiting,
                    status=RunStatus.RUNNING,
                    claimed_by=worker_id,
                    lease_expires_at=now + lease,
                    attempts=waiting.attempts + 1,
                    stage=None,
                    started_at=now,
                    updated_at=now,
                )
                claimed = await self._open_reply(outbox, claimed)
                await self._write(outbox, claimed, waiting)
                # From these events on, the project's stream takes live frames from this attempt only.
                outbox.fence(claimed.project_id, stream_fence(claimed.id, claimed.attempts))
                return claimed

    async def queue(self) -> RunQueue:
        """The server runs waiting for a worker, for the metrics."""
        return await self.storage.runs.queue()

    async def renew(self, run: AgentRun, lease: timedelta) -> AgentRun:
        """Extends the lease (a heartbeat); raises LeaseLost if the run is no longer ours."""
        renewed = msgspec.structs.replace(run, lease_expires_at=self.clock.now() + lease)
        if not await self.storage.runs.update_held(renewed, run):
            raise LeaseLost()
        return renewed

    async def set_stage(self, run: AgentRun, stage: str) -> AgentRun:
        """What the run is doing now, for every tab ("Generating project files…")."""
        async with self.committed() as outbox:
            staged = msgspec.structs.replace(run, stage=stage, updated_at=self.clock.now())
            await self._write(outbox, staged, run)
        return staged

    async def set_model(self, run: AgentRun, model: str) -> AgentRun:
        """The model that answers the run (the project's choice, or the default one)."""
        async with self.committed() as outbox:
            chosen = msgspec.structs.replace(run, model=model, updated_at=self.clock.now())
            await self._write(outbox, chosen, run)
        return chosen

    async def context(self, run: AgentRun) -> RunContext:
        project = await self.storage.projects.get(run.project_id)
        if project is None:
            raise LeaseLost("The project was deleted.")
        # Ids are UUIDv7: what came before the request is what has a smaller id. Prompts sent
        # while this run waited belong to the runs queued behind it.
        latest = await self.storage.messages.list_latest(run.project_id, HISTORY_MESSAGES * 4)
        history = [
            m
            for m in latest
            if m.id != run.reply_message_id and (run.message_id is None or m.id < run.message_id)
        ][-HISTORY_MESSAGES:]
        attachments = (
            await self.storage.attachments.list_for_messages([run.message_id]) if run.message_id else []
        )
        attachments = [await self._with_import_summary(a) for a in attachments]
        reply = await self._reply(run)
        return RunContext(
            project=project,
            history=history,
            attachments=attachments,
            files=writable_files(await self.code(run)),
            checkpoint=await self.storage.checkpoints.get(run.id),
            reply=reply.content,
        )

    async def code(self, run: AgentRun) -> Files:
        """The project's shared code as it is now, people's edits included (API.md: the draft)."""
        async with self.storage.transaction():  # a project's first read may start its document
            return await self.docs.read(run.project_id)

    async def write_code(self, run: AgentRun, files: Files, seen: Files, remove: Sequence[str] = ()) -> Files:
        """Writes the agent's files into the shared code as a 3-way merge with what the agent last
        saw of them (`seen`): what people typed meanwhile stays. The draft follows in the same
        transaction. Answers every file of the code after the write."""
        async with self.committed() as outbox:
            project = await self.storage.projects.get(run.project_id)
            if project is None:
                raise LeaseLost("The project was deleted.")
            written = await self.docs.write(run.project_id, files, False, base=seen, remove=remove)
            await follow_files(self.storage, self.clock, outbox, project, written.files)
        if written.update is not None:
            await self.docs.announce(run.project_id, written.update)
        return written.files

    async def _with_import_summary(self, attachment: Attachment) -> Attachment:
        """An attachment pointing at an import that finished before the message was sent carries
        the import's summary too (one finishing later puts it there itself)."""
        metadata = attachment.source_metadata or {}
        if attachment.import_id is None or SUMMARY_KEY in metadata:
            return attachment
        record = await self.storage.imports.get(attachment.import_id)
        summary = None if record is None else (record.metadata or {}).get(SUMMARY_KEY)
        if not summary:
            return attachment
        return msgspec.structs.replace(attachment, source_metadata={**metadata, SUMMARY_KEY: summary})

    async def record_sandbox(self, run: AgentRun, sandbox_id: str) -> None:
        """Keeps the sandbox on the project, so the next run reconnects to it."""
        async with self.committed() as outbox:
            await self._check_held(run)
            project = await self.storage.projects.get(run.project_id)
            if project is None or project.sandbox_id == sandbox_id:
                return
            updated = msgspec.structs.replace(project, sandbox_id=sandbox_id, updated_at=self.clock.now())
            await self.storage.projects.update(updated)
            outbox.add(run.project_id, ProjectUpdated(project=ProjectView.from_entity(updated)))

    async def save_progress(self, run: AgentRun, content: str) -> None:
        """Stores the reply's text so far, silently: tabs already have it from the deltas."""
        async with self.storage.transaction():
            await self._check_held(run)
            reply = await self._reply(run)
            await self.storage.messages.update(
                msgspec.structs.replace(reply, content=content, updated_at=self.clock.now())
            )

    async def checkpoint(
        self, run: AgentRun, rounds: int, reply: str, state: JsonObject, usage: RunUsage
    ) -> AgentRun:
        """Saves a completed round, in one transaction: the worker's state, the reply's text so far
        (silently, as `save_progress` does) and the run's usage, which every tab sees."""
        async with self.committed() as outbox:
            now = self.clock.now()
            await self.storage.checkpoints.save(
                RunCheckpoint(run_id=run.id, rounds=rounds, reply=reply, state=state, updated_at=now)
            )
            saved = msgspec.structs.replace(await self._reply(run), content=reply, updated_at=now)
            await self.storage.messages.update(saved)
            counted = msgspec.structs.replace(run, usage=usage, updated_at=now)
            await self._write(outbox, counted, run)
        return counted

    async def finish(self, run: AgentRun, outcome: RunOutcome) -> Fragment:
        """The reply COMPLETE as a RESULT with its fragment, the run COMPLETED."""
        async with self.committed() as outbox:
            now = self.clock.now()
            reply = await self._complete_reply(run, outcome.content)
            fragment = Fragment(
                id=FragmentId(new_id()),
                message_id=reply.id,
                project_id=run.project_id,
                sandbox_url=outcome.sandbox_url,
                title=outcome.title,
                files=outcome.files,
                framework=outcome.framework,
                metadata=outcome.metadata,
                created_at=now,
                updated_at=now,
            )
            await self.storage.messages.update(reply)
            await self.storage.fragments.save(fragment)
            outbox.add(run.project_id, MessageCompleted(message=MessageView.from_entity(reply, fragment)))
            outbox.add(run.project_id, FragmentUpdated(fragment=FragmentView.from_entity(fragment)))
            await self._complete(outbox, run, outcome.project_name, outcome.usage)
        return fragment

    async def answer(
        self,
        run: AgentRun,
        content: str,
        project_name: str | None = None,
        usage: RunUsage | None = None,
        *,
        refund: bool = False,
    ) -> None:
        """The model answered without building: the reply COMPLETE as a RESULT with no fragment
        (the latest fragment stays the app), the run COMPLETED and its credit spent. A prompt that
        asks the model to talk rather than build got what it asked for; only a model that says it
        cannot do what was asked (`refund`) gives the credit back, as failures on our side do."""
        async with self.committed() as outbox:
            reply = await self._complete_reply(run, content)
            await self.storage.messages.update(reply)
            outbox.add(run.project_id, MessageCompleted(message=MessageView.from_entity(reply)))
            if refund and run.credit_consumed:
                run = await self.usage.refund(run)
                outbox.usage_changed(run.user_id)
            await self._complete(outbox, run, project_name, usage)

    async def _complete_reply(self, run: AgentRun, content: str) -> Message:
        return msgspec.structs.replace(
            await self._reply(run),
            content=content,
            type=MessageType.RESULT,
            status=MessageStatus.COMPLETE,
            updated_at=self.clock.now(),
        )

    async def _complete(
        self, outbox: Outbox, run: AgentRun, project_name: str | None, usage: RunUsage | None
    ) -> None:
        """The run COMPLETED after its reply was written, the project named and touched."""
        now = self.clock.now()
        done = msgspec.structs.replace(
            run,
            status=RunStatus.COMPLETED,
            stage=None,
            lease_expires_at=None,
            usage=usage or run.usage,
            finished_at=now,
            updated_at=now,
        )
        await self._name_project(outbox, run, project_name)
        await self.storage.checkpoints.delete(run.id)
        # Written last, the run's check rolls the whole transaction back if the run is not ours.
        await self._write(outbox, done, run)
        outbox.fence(run.project_id, NO_RUN)

    async def complete_cancelled(self, run: AgentRun, content: str | None) -> None:
        """After a cancel: the reply takes all the attempt streamed, when that is more than the
        cancel could store. Nothing when the run was not cancelled or another attempt holds it."""
        async with self.committed() as outbox:
            stored = await self.storage.runs.get(run.id)
            if stored is None or (stored.status, stored.attempts) != (RunStatus.CANCELLED, run.attempts):
                return
            reply = (
                None
                if run.reply_message_id is None
                else await self.storage.messages.get(run.reply_message_id)
            )
            if reply is None or content is None or len(content) <= len(reply.content):
                return
            longer = msgspec.structs.replace(reply, content=content, updated_at=self.clock.now())
            await self.storage.messages.update(longer)
            outbox.add(run.project_id, MessageCompleted(message=MessageView.from_entity(longer)))

    async def fail(self, run: AgentRun, reason: str) -> None:
        """The reply becomes an ERROR saying why, the run FAILED, its credit refunded: a run only
        fails for reasons on our side (the model service, the sandbox, a crash, a lost lease); a
        model that answered without building completed (`answer`)."""
        async with self.committed() as outbox:
            await self._fail(outbox, run, reason)

    async def release(self, run: AgentRun) -> None:
        """Gives the run back to the queue (a worker shutting down): the interrupted attempt does
        not count, and the next claim starts its reply afresh."""
        async with self.committed() as outbox:
            waiting = msgspec.structs.replace(
                run,
                status=RunStatus.PENDING,
                claimed_by=None,
                lease_expires_at=None,
                attempts=max(0, run.attempts - 1),
                stage=None,
                updated_at=self.clock.now(),
            )
            await self._write(outbox, waiting, run)
            outbox.fence(run.project_id, NO_RUN)

    async def _fail(self, outbox: Outbox, run: AgentRun, reason: str) -> None:
        now = self.clock.now()
        failed = await self.usage.refund(
            msgspec.structs.replace(
                run,
                status=RunStatus.FAILED,
                error=reason,
                stage=None,
                lease_expires_at=None,
                finished_at=now,
                updated_at=now,
            )
        )
        await self._write(outbox, failed, run)
        await self.storage.checkpoints.delete(run.id)
        outbox.fence(run.project_id, NO_RUN)
        if run.credit_consumed:
            outbox.usage_changed(run.user_id)
        if run.reply_message_id is not None:
            reply = msgspec.structs.replace(
                await self._reply(run),
                content=reason,
                type=MessageType.ERROR,
                status=MessageStatus.COMPLETE,
                updated_at=now,
            )
            await self.storage.messages.update(reply)
            outbox.add(run.project_id, MessageCompleted(message=MessageView.from_entity(reply)))

    async def _open_reply(self, outbox: Outbox, run: AgentRun) -> AgentRun:
        """The reply message, STREAMING: created empty on the first attempt. A later attempt keeps
        it as it is, text included: it goes on after that text (tabs never see it shrink)."""
        now = self.clock.now()
        if run.reply_message_id is not None:
            existing = await self.storage.messages.get(run.reply_message_id)
            if existing is not None:
                return run
        reply = Message(
            id=MessageId(new_id()),
            project_id=run.project_id,
            content="",
            role=MessageRole.ASSISTANT,
            type=MessageType.STREAMING,
            status=MessageStatus.STREAMING,
            created_at=now,
            updated_at=now,
        )
        await self.storage.messages.insert(reply)
        outbox.add(run.project_id, MessageCreated(message=MessageView.from_entity(reply)))
        return msgspec.structs.replace(run, reply_message_id=reply.id)

    async def _name_project(self, outbox: Outbox, run: AgentRun, name: str | None) -> None:
        project = await self.storage.projects.get(run.project_id)
        if project is None:
            return
        renamed = project
        if name and is_default_project_name(project.name):
            renamed = msgspec.structs.replace(project, name=name)
        renamed = msgspec.structs.replace(renamed, updated_at=self.clock.now())
        await self.storage.projects.update(renamed)
        outbox.add(run.project_id, ProjectUpdated(project=ProjectView.from_entity(renamed)))

    async def _reply(self, run: AgentRun) -> Message:
        reply = (
            None if run.reply_message_id is None else await self.storage.messages.get(run.reply_message_id)
        )
        if reply is None:
            raise LeaseLost("The run's reply message is gone.")
        return reply

    async def _check_held(self, run: AgentRun) -> None:
        stored = await self.storage.runs.get(run.id)
        if stored is None or (stored.status, stored.claimed_by, stored.attempts) != (
            run.status,
            run.claimed_by,
            run.attempts,
        ):
            raise LeaseLost()

    async def _write(self, outbox: Outbox, run: AgentRun, held: AgentRun) -> None:
        """Writes the run if it is still `held`, and tells the tabs."""
        if not await self.storage.runs.update_held(run, held):
            raise LeaseLost()
        outbox.add(run.project_id, RunUpdated(run=RunView.from_entity(run)))
