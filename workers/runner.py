"""One server-side run, start to end: sandbox, context, the code agent, then its fragment or its
failure. The lease is renewed in the background; a run that is no longer ours stops at once. Each
completed round is checkpointed, and an attempt taking the run over goes on from its checkpoint."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import msgspec

from domain.entities import AgentRun, Files
from domain.enums import DEFAULT_FRAMEWORK
from domain.errors import LeaseLost
from domain.ports import EventPublisher
from domain.rules.files import writable_files
from domain.rules.models import OFFLINE_MODEL
from domain.rules.naming import is_default_project_name, project_name_from, version_title
from domain.services.agent_runs import AgentRunService, RunContext, RunOutcome
from forge.logs import RUN_ID, bound
from workers.agent.budget import files_chars, read_chars
from workers.agent.loop import AgentLimits, AgentResult, AgentState, CodeAgent
from workers.agent.model import OFFLINE_PROVIDER, ModelError, ModelProvider
from workers.agent.prompts import conversation, system_prompt
from workers.agent.tools import Toolbox
from workers.checkpoints import RunState, encode_state, resumption
from workers.held import HeldRun, RunFrames
from workers.run_code import RunCode
from workers.sandboxes.base import Sandbox, SandboxError, SandboxProvider
from workers.streaming import ReplyStream
from workers.timing import RunTimer, TimedReply

logger = logging.getLogger("forge.worker")

UNEXPECTED = "Something went wrong on our side while building your app. Your credit was refunded."


@dataclass
class _Workspace:
    """What a run did to the code and its sandbox so far, so that a failure can undo it, and the
    reply it streamed, so that a cancelled run's reply ends as the tabs saw it."""

    sandbox: Sandbox | None = None
    code: RunCode | None = None
    stream: ReplyStream | None = None
    cancelled: bool = False
    """Someone pressed Stop: the work was cancelled for that, not by the worker stopping."""
    ended: bool = False


class Cancellations(Protocol):
    async def watch(self, run: AgentRun, cancelled: Callable[[], None]) -> Callable[[], Awaitable[None]]:
        """Calls `cancelled` once the run is cancelled; returns what stops the watching."""
        ...


class RunnerSettings(msgspec.Struct, frozen=True, kw_only=True):
    lease: timedelta
    default_model: str
    limits: AgentLimits = AgentLimits()
    sandbox_keep_alive_seconds: int = 1800


class RunExecutor:
    def __init__(
        self,
        runs: AgentRunService,
        publisher: EventPublisher,
        provider: ModelProvider,
        sandboxes: SandboxProvider,
        settings: RunnerSettings,
        cancellations: Cancellations | None = None,
    ) -> None:
        self.runs = runs
        self.cancellations = cancellations
        self.publisher = publisher
        self.provider = provider
        self.sandboxes = sandboxes
        self.settings = settings

    async def execute(self, run: AgentRun) -> None:
        """Runs a claimed run to its end; never raises but for cancellation. Every line logged
        meanwhile carries the run's id, the heartbeat's and the stream's too (their tasks start
        inside)."""
        with bound(RUN_ID, str(run.id)):
            await self._execute_held(run)

    async def _execute_held(self, run: AgentRun) -> None:
        held = HeldRun(run, self.settings.lease)
        timer = RunTimer()
        work = asyncio.current_task()
        heartbeat = asyncio.create_task(self._heartbeat(held, work), name=f"lease-{run.id}")
        workspace = _Workspace()
        stop_watching = await self._watch_for_stop(run, workspace, work)
        try:
            await self._execute(held, workspace, timer)
            _log_end(run, timer, "completed")
        except asyncio.CancelledError:
            if workspace.cancelled and work is not None:  # someone pressed Stop
                work.uncancel()
                await asyncio.shield(self._end_cancelled(held, workspace, timer))
                return
            if not heartbeat.done():  # stopped by the worker, not by a lost lease: give it back
                await asyncio.shield(self._release(held))
            raise
        except LeaseLost:
            logger.warning("run %s is no longer ours; stopped", run.id)
        except (ModelError, SandboxError) as error:
            await self._fail(held, workspace, f"{error} Your credit was refunded.", timer)
        except Exception:
            logger.exception("run %s failed", run.id)
            await self._fail(held, workspace, UNEXPECTED, timer)
        finally:
            workspace.ended = True
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            if stop_watching is not None:
                await stop_watching()

    async def _watch_for_stop(
        self, run: AgentRun, workspace: _Workspace, work: asyncio.Task[object] | None
    ) -> Callable[[], Awaitable[None]] | None:
        """Cancels the work within moments of someone pressing Stop (`POST /api/runs/{id}/cancel`)."""
        if self.cancellations is None or work is None:
            return None

        def stop() -> None:
            if not workspace.ended:
                workspace.cancelled = True
                work.cancel()

        return await self.cancellations.watch(run, stop)

    async def _end_cancelled(self, held: HeldRun, workspace: _Workspace, timer: RunTimer) -> None:
        """The reply ends with all it streamed (the cancel completed it as stored, which may be a
        moment behind); the files written stay in the shared code."""
        content = workspace.stream.content if workspace.stream is not None else None
        try:
            await self.runs.complete_cancelled(held.run, content)
        except Exception:  # the cancel completed the reply already; this only adds the last words
            logger.warning("run %s: the end of its cancelled reply was not saved", held.run.id, exc_info=True)
        _log_end(held.run, timer, "cancelled")

    async def _release(self, held: HeldRun) -> None:
        try:
            await held.use(self.runs.release)
        except Exception:  # its lease will run out and another worker takes it
            logger.warning("run %s could not be given back", held.run.id, exc_info=True)

    async def _execute(self, held: HeldRun, workspace: _Workspace, timer: RunTimer) -> None:
        run = held.run
        await held.update(lambda r: self.runs.set_stage(r, "Reading project files…"))
        context = await self.runs.context(run)
        resumed = resumption(context.reply, context.checkpoint)
        framework = run.framework or context.project.framework or DEFAULT_FRAMEWORK
        sandbox = await self._sandbox(held, context)
        code = RunCode(self.runs, run, context.files, resumed.state.code if resumed.state else None)
        workspace.sandbox, workspace.code = sandbox, code
        frames = RunFrames(self.publisher, held)
        stream = ReplyStream(
            TimedReply(frames, timer),
            frames.reply_id,
            save=lambda content: held.use(lambda r: self.runs.save_progress(r, content)),
            already=resumed.reply,
        )
        workspace.stream = stream
        model = run.model or context.project.model_preference or self.settings.default_model
        used = OFFLINE_MODEL if self.provider.name == OFFLINE_PROVIDER else model
        if held.run.model != used:  # tabs show which model answered, the offline one included
            await held.update(lambda r: self.runs.set_model(r, used))
        budget = self.settings.limits.budget_for(model)
        state = resumed.state.agent if resumed.state else self._start(context, run.value, budget)

        async def on_round(reached: AgentState) -> None:
            encoded = encode_state(RunState(agent=reached, code=code.state()))
            rounds, usage = len(reached.usage.rounds), reached.usage
            await held.update(lambda r: self.runs.checkpoint(r, rounds, stream.content, encoded, usage))

        try:
            result = await CodeAgent(self.provider, self.settings.limits).run(
                model=model,
                system=system_prompt(framework),
                state=state,
                toolbox=Toolbox(sandbox, frames, code, read_limit=read_chars(budget)),
                stream=stream,
                on_stage=lambda stage: self._stage(held, stage),
                on_round=on_round,
                interrupted=resumed.interrupted,
            )
        finally:
            await stream.close()
        project_name = project_name_from(run.value) if is_default_project_name(context.project.name) else None
        if not code.written:  # the model answered without building: its words are the answer
            answer = self.runs.answer
            await held.use(
                lambda r: answer(r, stream.content, project_name, result.usage, refund=result.declined)
            )
            return
        files: Files = writable_files(await code.files())  # the shared code at the run's end
        await held.update(lambda r: self.runs.set_stage(r, "Starting the preview…"))
        preview = await sandbox.preview_url(framework)
        outcome = RunOutcome(
            content=stream.content,
            title=_title(result, run.value),
            files=files,
            framework=framework,
            sandbox_url=preview,
            metadata=self._metadata(model, result, stream),
            project_name=project_name,
            usage=result.usage,
        )
        await held.use(lambda r: self.runs.finish(r, outcome))

    @staticmethod
    def _start(context: RunContext, request: str, budget: int) -> AgentState:
        """The first round's state: the earlier turns, the request, the restored files."""
        opening = conversation(
            context.history, request, context.attachments, context.files, files_chars(budget)
        )
        return AgentState.start(opening)

    async def _sandbox(self, held: HeldRun, context: RunContext) -> Sandbox:
        """The project's sandbox, or a new one, holding the files the run continues from."""
        project = context.project
        if project.sandbox_id is not None:
            existing = await self.sandboxes.connect(project.sandbox_id)
            if existing is not None:
                await existing.keep_alive(self.settings.sandbox_keep_alive_seconds)
                # Written again even here: since the last run a fragment may have been restored
                # or the draft changed, and the sandbox still holds the later code.
                if context.files:
                    await existing.write_files(context.files)
                return existing
        sandbox = await self.sandboxes.create(project.id, held.run.framework or project.framework)
        if context.files:
            await held.update(lambda r: self.runs.set_stage(r, "Restoring your files…"))
            await sandbox.write_files(context.files)
        await held.use(lambda r: self.runs.record_sandbox(r, sandbox.id))
        return sandbox

    async def _stage(self, held: HeldRun, stage: str) -> None:
        if held.run.stage != stage:
            await held.update(lambda r: self.runs.set_stage(r, stage))

    async def _heartbeat(self, held: HeldRun, work: asyncio.Task[object] | None) -> None:
        period = self.settings.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(period)
            try:
                await held.renew(lambda r: self.runs.renew(r, self.settings.lease))
            except LeaseLost:
                logger.warning("run %s lost its lease; stopping it", held.run.id)
                if work is not None:
                    work.cancel()
                return
            except Exception:  # a missed beat is retried; the lease outlasts two of them
                logger.warning("renewing the lease of run %s failed", held.run.id, exc_info=True)

    async def _fail(self, held: HeldRun, workspace: _Workspace, reason: str, timer: RunTimer) -> None:
        # The sandbox first, while the run still holds the project: once the failure commits, the
        # project's next run may start writing into the same sandbox.
        await self._roll_back(held.run, workspace)
        try:
            await held.use(lambda r: self.runs.fail(r, reason))
        except LeaseLost:
            logger.warning("run %s is no longer ours; its failure was not recorded", held.run.id)
            return
        _log_end(held.run, timer, "failed")

    async def _roll_back(self, run: AgentRun, workspace: _Workspace) -> None:
        """Takes back what a failed run wrote, in the shared code (keeping what people typed
        meanwhile) and in the sandbox, so the preview shows the app as it was and not a failed
        run's half-written one."""
        code, sandbox = workspace.code, workspace.sandbox
        if code is None or sandbox is None or not code.written:
            return
        try:
            written = set(code.written)
            restored = await code.undo()
            gone = sorted(written - set(restored))
            if gone:
                await sandbox.remove_files(gone)
            if restored:
                await sandbox.write_files(restored)
        except Exception:  # the failure is recorded all the same; the next run rewrites its files
            logger.warning("run %s: its changes were not taken back", run.id, exc_info=True)

    def _metadata(self, model: str, result: AgentResult, stream: ReplyStream) -> dict[str, object]:
        return {
            "model": model,
            "provider": self.provider.name,
            "offline": self.provider.name == OFFLINE_PROVIDER,
            "sandbox": self.sandboxes.name,
            "iterations": result.iterations,
            "inputTokens": result.usage.total.input_tokens,
            "outputTokens": result.usage.total.output_tokens,
            "cacheReadInputTokens": result.usage.total.cache_read_input_tokens,
            "cacheCreationInputTokens": result.usage.total.cache_creation_input_tokens,
            "streamedFrames": stream.frames,
            "progressSaves": stream.saves,
        }


def _log_end(run: AgentRun, timer: RunTimer, outcome: str) -> None:
    logger.info("run %s %s in %.2f s", run.id, outcome, timer.ended(outcome))


def _title(result: AgentResult, prompt: str) -> str:
    return version_title(result.summary or prompt)
