"""Random writes and prompts on one project from two `forge serve` processes sharing PostgreSQL and
Redis, tabs reconnecting at random and one server restarted: once everything has settled, every
tab's state rebuilt from `hello` and the events equals what the REST routes return, and every tab
saw a gapless `seq`."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from server.auth import issue_dev_token
from tests.conftest import ADMIN, JWT_SECRET, SSL_CONTEXT
from tests.processes import ServeProcess
from tests.tab_model import LiveTab, State, differences, rest_state

USER = "alice"
SERVE_SETTINGS = {
    "FORGE_WORKER_IN_PROCESS": "true",
    "FORGE_OFFLINE_WORD_DELAY_MS": "2",
    "FORGE_WORKER_POLL_SECONDS": "0.5",
    # A restarted server gives its runs back at once, so the other server's worker takes them over.
    "FORGE_WORKER_SHUTDOWN_GRACE_SECONDS": "0",
    "FORGE_RATE_LIMIT_WRITES_PER_MINUTE": "100000",
    "FORGE_ADMIN_USER_IDS": ADMIN,
}
RUNS_END_SECONDS = 60.0
AGREE_SECONDS = 10.0
FINISHED = frozenset({"COMPLETED", "FAILED", "CANCELLED"})
CLOSE_GOING_AWAY = 1001


@dataclass(frozen=True)
class Rename:
    server: int
    name: str


@dataclass(frozen=True)
class Prompt:
    server: int
    value: str


@dataclass(frozen=True)
class PromptFromTab:
    tab: int
    value: str


@dataclass(frozen=True)
class PutDraft:
    server: int
    files: dict[str, str]
    from_tab: int | None
    """Sent as the tab's `draft.put` frame instead of the REST PUT."""


@dataclass(frozen=True)
class PostAssistantMessage:
    server: int
    content: str


@dataclass(frozen=True)
class Restore:
    server: int
    pick: int
    """Which of the project's fragments (modulo how many there are); none yet: nothing happens."""


@dataclass(frozen=True)
class Reconnect:
    tab: int
    server: int
    fresh: bool
    """Reloaded: a new connection without `since`, which gets a hello (mid-stream, maybe)."""


@dataclass(frozen=True)
class Restart:
    """SIGTERM to one server: its tabs resume on the other, and a new process takes its place.
    Once per test run (a restart costs seconds); later ones do nothing."""

    server: int


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class AwaitRuns:
    """Until no run is waiting or running, as a person waits for the app to be built."""


@dataclass(frozen=True)
class Concurrently:
    """Two writes at once (usually on both servers): their commits race each other."""

    first: Write
    second: Write


Write = Rename | Prompt | PutDraft | PostAssistantMessage | Restore
Op = Write | PromptFromTab | Reconnect | Restart | Pause | AwaitRuns | Concurrently

SERVERS = st.integers(0, 1)
TABS = st.integers(0, 3)
PROMPTS = st.sampled_from(["a to-do list app", "a counter", "a notes app", "add a dark mode toggle"])
WORDS = st.text(alphabet="abcdefgh xyz", min_size=1, max_size=24).filter(str.strip)
FILES = st.dictionaries(st.sampled_from(["app.tsx", "README.md", "lib/a.ts"]), WORDS, max_size=2)
WRITES: st.SearchStrategy[Write] = st.one_of(
    st.builds(Rename, SERVERS, WORDS),
    st.builds(Prompt, SERVERS, PROMPTS),
    st.builds(PutDraft, SERVERS, FILES, st.none()),
    st.builds(PostAssistantMessage, SERVERS, WORDS),
    st.builds(Restore, SERVERS, st.integers(0, 9)),
)
OPS: st.SearchStrategy[Op] = st.one_of(
    WRITES,
    st.builds(PromptFromTab, TABS, PROMPTS),
    st.builds(PutDraft, SERVERS, FILES, TABS),
    st.builds(Reconnect, TABS, SERVERS, st.booleans()),
    st.builds(Restart, SERVERS),
    st.builds(Pause, st.sampled_from([0.05, 0.3, 1.0])),
    st.just(AwaitRuns()),
    st.builds(Concurrently, WRITES, WRITES),
)


def bearer(user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_dev_token(JWT_SECRET, user)}"}


class Deployment:
    """Two `forge serve` processes with agent workers; slot `k % 2` is whichever serves it now."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.cwd = cwd
        self.env = {**env, **SERVE_SETTINGS}
        self.servers = [ServeProcess(cwd, **self.env) for _ in range(2)]
        self.retired: list[ServeProcess] = []
        self.restarts_left = int(os.environ.get("FORGE_TEST_PROPERTY_RESTARTS", "1"))

    def url(self, server: int) -> str:
        return self.servers[server % 2].url

    def replace(self, server: int) -> tuple[ServeProcess, ServeProcess]:
        """SIGTERM to the server in the slot and a new process in its place (not yet ready)."""
        old = self.servers[server % 2]
        old.process.terminate()
        self.retired.append(old)
        new = self.servers[server % 2] = ServeProcess(self.cwd, **self.env)
        return old, new

    def stop(self) -> None:
        """SIGTERM to every process; one that does not exit in time is killed, then reported."""
        stuck = []
        for server in [*self.servers, *self.retired]:
            try:
                server.terminate()
            except subprocess.TimeoutExpired:
                server.process.kill()
                stuck.append(server.log.name)
        assert stuck == [], f"forge serve did not exit after SIGTERM: {stuck}"


class Scenario:
    """One project driven by one example's operations, with its tabs."""

    def __init__(self, deployment: Deployment, http: httpx.AsyncClient, project_id: str, tabs: int) -> None:
        self.deployment = deployment
        self.http = http
        self.project_id = project_id
        self.path = f"/api/projects/{project_id}"
        self.tabs = [LiveTab(f"tab{n}", USER) for n in range(tabs)]
        self.refs = itertools.count()
        self.notes: list[str] = []
        """What the scenario noticed beside the tabs' state: a wrong close code, an unexpected answer."""

    async def call(self, server: int, method: str, path: str, body: Any = None, user: str = USER) -> Any:
        url = self.deployment.url(server) + path
        response = await self.http.request(method, url, json=body, headers=bearer(user))
        if response.status_code == 409 and method == "PUT":
            return None  # a draft put from a stale version: refused, as it should be
        assert response.is_success, (method, path, response.status_code, response.text)
        return response.json()

    async def open_tabs(self) -> None:
        for number, tab in enumerate(self.tabs):
            await tab.open(self.deployment.url(number), self.project_id)

    async def close_tabs(self) -> None:
        await asyncio.gather(*(tab.close() for tab in self.tabs))

    async def apply(self, op: Op) -> None:
        match op:
            case Rename(server, name):
                await self.call(server, "PATCH", self.path, {"name": name})
            case Prompt(server, value):
                await self.call(server, "POST", f"/api/admin/usage/{USER}/reset", user=ADMIN)
                await self.call(server, "POST", f"{self.path}/messages", {"value": value})
            case PromptFromTab(tab, value):
                await self.call(tab, "POST", f"/api/admin/usage/{USER}/reset", user=ADMIN)
                frame = {"type": "prompt", "value": value, "ref": f"p{next(self.refs)}"}
                await self.tab(tab).send(frame)
                await self.tab(tab).sync(f"s{next(self.refs)}")
            case PutDraft(server, files, from_tab):
                await self.put_draft(server, files, from_tab)
            case PostAssistantMessage(server, content):
                body = {"content": content, "role": "ASSISTANT", "type": "RESULT"}
                await self.call(server, "POST", f"{self.path}/messages", body)
            case Restore(server, pick):
                fragments = (await self.call(server, "GET", f"{self.path}/fragments"))["items"]
                event(f"a restore found {'some' if fragments else 'no'} fragments")
                if fragments:
                    chosen = fragments[pick % len(fragments)]["id"]
                    await self.call(server, "POST", f"{self.path}/fragments/{chosen}/restore")
            case Reconnect(tab, server, fresh):
                await self.tab(tab).close()
                await self.tab(tab).open(self.deployment.url(server), self.project_id, resume=not fresh)
            case Restart(server):
                await self.restart(server)
            case Pause(seconds):
                await asyncio.sleep(seconds)
            case AwaitRuns():
                await self.runs_end()
            case Concurrently(first, second):
                await asyncio.gather(self.apply(first), self.apply(second))

    def tab(self, number: int) -> LiveTab:
        return self.tabs[number % len(self.tabs)]

    async def put_draft(self, server: int, files: dict[str, str], from_tab: int | None) -> None:
        version = (await self.call(server, "GET", f"{self.path}/draft"))["version"]
        if from_tab is None:
            await self.call(server, "PUT", f"{self.path}/draft", {"files": files, "version": version})
            return
        frame = {"type": "draft.put", "files": files, "version": version, "ref": f"d{next(self.refs)}"}
        await self.tab(from_tab).send(frame)
        await self.tab(from_tab).sync(f"s{next(self.refs)}")

    async def restart(self, server: int) -> None:
        deployment = self.deployment
        if deployment.restarts_left == 0:
            return
        deployment.restarts_left -= 1
        runs = (await self.call(server, "GET", f"{self.path}/runs"))["items"]
        event(f"restarted with {sum(run['status'] == 'RUNNING' for run in runs)} runs running")
        old, new = deployment.replace(server)
        victims = [tab for tab in self.tabs if tab.url == old.url]
        for tab in victims:
            code = await tab.closed_by_server()
            if code != CLOSE_GOING_AWAY:
                self.notes.append(f"{tab.model.name} was closed with {code} by a server shutting down")
            await tab.open(deployment.url(server + 1), self.project_id)
        await asyncio.to_thread(new.wait_ready)
        await asyncio.to_thread(old.terminate)

    async def settle(self) -> None:
        """Every tab open again (a tab closed under it reopens) with its frames handled, and no run
        left to finish."""
        for number, tab in enumerate(self.tabs):
            if not tab.is_open:
                self.notes.append(f"{tab.model.name} was closed under it")
                await tab.open(self.deployment.url(number), self.project_id)
            await tab.sync(f"s{next(self.refs)}")
        await self.runs_end()

    async def runs_end(self) -> None:
        async with asyncio.timeout(RUNS_END_SECONDS):
            while True:
                runs = (await self.call(0, "GET", f"{self.path}/runs?limit=200"))["items"]
                if all(run["status"] in FINISHED for run in runs):
                    return
                await asyncio.sleep(0.2)

    async def rest(self) -> State:
        project = await self.call(0, "GET", self.path)
        messages = (await self.call(1, "GET", f"{self.path}/messages?limit=200"))["items"]
        draft = await self.call(0, "GET", f"{self.path}/draft")
        runs = (await self.call(1, "GET", f"{self.path}/runs?limit=200"))["items"]
        return rest_state(project, messages, draft, runs)

    async def disagreements(self) -> dict[str, list[str]]:
        """Each tab's differences from REST, once they agree or after AGREE_SECONDS."""
        deadline = time.monotonic() + AGREE_SECONDS
        while True:
            rest = await self.rest()
            found = {tab.model.name: differences(tab.model.state(), rest) for tab in self.tabs}
            found = {name: lines for name, lines in found.items() if lines}
            if not found or time.monotonic() > deadline:
                return found
            await asyncio.sleep(0.2)


def report(disagreements: dict[str, list[str]]) -> str:
    return "\n".join(f"{tab} {line}" for tab, lines in disagreements.items() for line in lines)


@pytest.fixture
def deployment(tmp_path: Path, scaled_env: dict[str, str]) -> Iterator[Deployment]:
    running = Deployment(tmp_path, scaled_env)
    try:
        for server in running.servers:
            server.wait_ready()
        yield running
    finally:
        running.stop()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=15, verify=SSL_CONTEXT) as client:
        yield client


@contextlib.asynccontextmanager
async def scenario_on_a_new_project(
    deployment: Deployment, http: httpx.AsyncClient, tabs: int
) -> AsyncIterator[Scenario]:
    """A fresh project named as the product names one (so its first run renames it), its draft
    made before any tab opens, and the tabs spread over both servers, closed at the end."""
    headers = bearer(USER)
    body = {"name": f"Project-{time.time_ns() // 1_000_000}"}
    response = await http.post(f"{deployment.url(0)}/api/projects", json=body, headers=headers)
    assert response.status_code == 201, response.text
    scenario = Scenario(deployment, http, response.json()["id"], tabs)
    await scenario.call(1, "GET", f"{scenario.path}/draft")
    try:
        await scenario.open_tabs()
        yield scenario
    finally:
        await scenario.close_tabs()


@pytest.mark.slow
# One Redis server: the cluster's channels are the same code, covered by the other e2e tests there.
@pytest.mark.parametrize("scaled_env", ["scaled"], indirect=True)
@settings(
    max_examples=int(os.environ.get("FORGE_TEST_PROPERTY_EXAMPLES", "15")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tabs=st.integers(2, 4), ops=st.lists(OPS, min_size=5, max_size=15))
@example(
    tabs=3,
    ops=[
        Prompt(0, "a to-do list app"),
        Pause(0.3),
        Restart(0),
        PromptFromTab(2, "add a dark mode toggle"),
        PutDraft(1, {"app.tsx": "x"}, from_tab=None),
        Reconnect(1, 0, fresh=False),
        Restore(0, 0),
    ],
)
async def test_every_tab_rebuilds_the_rest_state_from_a_gapless_stream(
    deployment: Deployment, http: httpx.AsyncClient, tabs: int, ops: list[Op]
) -> None:
    async with scenario_on_a_new_project(deployment, http, tabs) as scenario:
        for op in ops:
            await scenario.apply(op)

        await scenario.settle()
        disagreements = await scenario.disagreements()

    for tab in scenario.tabs:
        event(f"a tab's reconnects began with {'/'.join(sorted(set(tab.model.starts[1:]))) or '-'}")
    event(f"{len(scenario.tabs[0].model.runs)} runs")
    assert disagreements == {}, report(disagreements)
    assert {tab.model.name: tab.model.problems for tab in scenario.tabs if tab.model.problems} == {}
    assert [tab.model.refusals for tab in scenario.tabs if tab.model.refusals] == []
    assert scenario.notes == [], scenario.notes
