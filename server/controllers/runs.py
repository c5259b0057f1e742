"""Agent runs: WEBCONTAINER runs that the user's browser claims, completes or fails."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.ids import ProjectId, RunId, UserId
from domain.inputs import RunRequest, RunResult
from domain.services.runs import RunService
from domain.views import FragmentView, MessageView, RunView
from server.controllers.params import DEFAULT_LIMIT, Cursor, Limit
from server.openapi import ROLE_REQUIRED, problems
from server.schemas import ClaimedRunOut, CompletedRunOut, FailRun, RunPage, decode_cursor, encode_cursor


class RunController(Controller):
    path = ""
    tags = ["runs"]

    @post(
        "/projects/{project_id:uuid}/runs",
        operation_id="enqueueRun",
        responses=problems(403, 404, overrides=ROLE_REQUIRED),
        status_code=201,
    )
    async def enqueue_run(
        self,
        project_id: FromPath[UUID],
        data: JSONBody[RunRequest],
        user_id: NamedDependency[UserId],
        runs: NamedDependency[RunService],
    ) -> RunView:
        """A PENDING run for the browser (WebContainer) to execute."""
        return RunView.from_entity(await runs.enqueue_for_system(user_id, ProjectId(project_id), data))

    @get("/projects/{project_id:uuid}/runs", operation_id="listRuns", responses=problems(404))
    async def list_runs(
        self,
        project_id: FromPath[UUID],
        user_id: NamedDependency[UserId],
        runs: NamedDependency[RunService],
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> RunPage:
        """The project's runs, newest first."""
        before = decode_cursor(cursor)
        page = await runs.list_for_project(
            user_id, ProjectId(project_id), limit, None if before is None else RunId(before)
        )
        return RunPage(
            items=[RunView.from_entity(r) for r in page.items], next_cursor=encode_cursor(page.next_key)
        )

    @get("/runs/{run_id:uuid}", operation_id="getRun", responses=problems(404))
    async def get_run(
        self, run_id: FromPath[UUID], user_id: NamedDependency[UserId], runs: NamedDependency[RunService]
    ) -> RunView:
        return RunView.from_entity(await runs.get(user_id, RunId(run_id)))

    @post(
        "/runs/{run_id:uuid}/claim",
        operation_id="claimRun",
        responses=problems(403, 404, 409, overrides=ROLE_REQUIRED),
        status_code=200,
    )
    async def claim_run(
        self, run_id: FromPath[UUID], user_id: NamedDependency[UserId], runs: NamedDependency[RunService]
    ) -> ClaimedRunOut:
        """Take a PENDING run: RUNNING, claimed by you, with the project's latest files. A run
        already claimed is 409."""
        claimed = await runs.claim(user_id, RunId(run_id))
        return ClaimedRunOut(run=RunView.from_entity(claimed.run), files=claimed.files)

    @post(
        "/runs/{run_id:uuid}/complete",
        operation_id="completeRun",
        responses=problems(403, 404, 409, overrides=ROLE_REQUIRED),
        status_code=200,
    )
    async def complete_run(
        self,
        run_id: FromPath[UUID],
        data: JSONBody[RunResult],
        user_id: NamedDependency[UserId],
        runs: NamedDependency[RunService],
    ) -> CompletedRunOut:
        """Finish a run you claimed: an ASSISTANT message with the summary and a fragment with the
        files (`sandboxUrl` webcontainer://local)."""
        done = await runs.complete(user_id, RunId(run_id), data)
        return CompletedRunOut(
            run=RunView.from_entity(done.run),
            message=MessageView.from_entity(done.message, done.fragment),
            fragment=FragmentView.from_entity(done.fragment),
        )

    @post(
        "/runs/{run_id:uuid}/fail",
        operation_id="failRun",
        responses=problems(403, 404, 409, overrides=ROLE_REQUIRED),
        status_code=200,
    )
    async def fail_run(
        self,
        run_id: FromPath[UUID],
        data: JSONBody[FailRun],
        user_id: NamedDependency[UserId],
        runs: NamedDependency[RunService],
    ) -> RunView:
        """Mark a run FAILED with its error."""
        return RunView.from_entity(await runs.fail(user_id, RunId(run_id), data.error))

    @post(
        "/runs/{run_id:uuid}/cancel",
        operation_id="cancelRun",
        responses=problems(403, 404, 409, overrides=ROLE_REQUIRED),
        status_code=200,
    )
    async def cancel_run(
        self, run_id: FromPath[UUID], user_id: NamedDependency[UserId], runs: NamedDependency[RunService]
    ) -> RunView:
        """Stop a PENDING or RUNNING run: CANCELLED, the reply completed as it stands, the files
        already written kept, no refund. A finished run is 409."""
        return RunView.from_entity(await runs.cancel(user_id, RunId(run_id)))
