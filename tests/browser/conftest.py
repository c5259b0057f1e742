"""Browser tests: a real `forge serve` (with its agent worker) and Debian's Chromium driven by
Playwright. Without /usr/bin/chromium they skip, unless FORGE_TEST_REQUIRE_SERVICES=1.

The tests run in this package's event loop (`pytestmark` in each module), as the browser does."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Error, async_playwright

from server.auth import issue_dev_token
from tests import services
from tests.conftest import JWT_SECRET
from tests.ports import free_port
from tests.processes import FORGE, forge_env, scaled_deployment, wait_until_ready

CHROMIUM = Path(os.environ.get("FORGE_TEST_CHROMIUM", "/usr/bin/chromium"))
VIEWPORT = {"width": 1280, "height": 800}
# Small but not zero: a run streams for a second or two, long enough to watch it grow.
WORD_DELAY_MS = "10"
TIMEOUT_MS = 15_000


class EditorServer:
    """`forge serve` with its worker, restartable on the same port and data folder."""

    def __init__(self, cwd: Path, **settings: str) -> None:
        self.cwd = cwd
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        defaults = {
            "FORGE_PORT": str(self.port),
            "FORGE_LOG_LEVEL": "WARNING",
            "FORGE_JWT_SECRET": JWT_SECRET,
            "FORGE_WORKER_IN_PROCESS": "true",
            "FORGE_WORKER_POLL_SECONDS": "0.5",
            "FORGE_OFFLINE_WORD_DELAY_MS": WORD_DELAY_MS,
        }
        self.env = forge_env(**{**defaults, **settings})
        self.starts = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.cwd / f"serve-{self.port}-{self.starts}.log"

    def start(self) -> None:
        self.starts += 1
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [FORGE, "serve"], cwd=self.cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        wait_until_ready(self.url, self.process, self.log)

    def stop(self) -> int:
        """SIGTERM, as a deployment restarts a server: tabs are told 1001, running runs finish."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


def require_chromium() -> None:
    if not CHROMIUM.is_file():
        services.unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")


def serve_editor(cwd: Path, **settings: str) -> Iterator[EditorServer]:
    """A started server with these settings over the defaults, stopped after (for a fixture)."""
    require_chromium()
    server = EditorServer(cwd, **settings)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def editor_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EditorServer]:
    """The embedded deployment, shared by a module's tests (each uses its own user or project)."""
    yield from serve_editor(tmp_path_factory.mktemp("editor"))


@pytest.fixture(scope="module")
def idle_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EditorServer]:
    """No agent worker: credits can be spent without runs changing what a tab shows."""
    yield from serve_editor(tmp_path_factory.mktemp("idle"), FORGE_WORKER_IN_PROCESS="false")


@pytest.fixture(params=["embedded", "scaled"])
def restartable_server(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    postgres_url: str | services.Unavailable,
    redis_problem: services.Unavailable | None,
) -> Iterator[EditorServer]:
    """A server of its own, on either deployment: the test restarts it."""
    if request.param == "embedded":
        yield from serve_editor(tmp_path)
        return
    with scaled_deployment(postgres_url, redis_problem) as settings:
        yield from serve_editor(tmp_path, **settings)


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def browser() -> AsyncIterator[Browser]:
    """One Chromium for the browser tests (a launch costs a second); each test opens its own context."""
    require_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., Any]]:
    """`await new_context(token=None, **options)`: a browser profile, signed in with `token` if one
    is given (as a person pasting a token would be), else left to sign itself in; `options` go to
    Playwright (a viewport, a time zone). An uncaught error on any of its pages fails the test,
    except those of the app in a preview frame (the preview's own script reports them)."""
    errors: list[str] = []

    def page_error(error: Error) -> None:
        if "/preview/" not in (error.stack or ""):
            errors.append(str(error))

    async def make(token: str | None = None, **options: Any) -> BrowserContext:
        context = await browser.new_context(**{"viewport": VIEWPORT, **options})
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", lambda page: page.on("pageerror", page_error))
        if token is not None:
            # Init scripts run in every document, the first about:blank and the sandboxed preview
            # included, where storage is out of reach: only the editor's own page stores it.
            await context.add_init_script(
                f"if (window === window.top && location.protocol === 'http:') "
                f"localStorage.setItem('forge.token', {token!r});"
            )
        return context

    yield make
    assert errors == [], "the editor threw"


@pytest.fixture
def user() -> str:
    return f"user_{secrets.token_hex(4)}"


@pytest.fixture
def token(user: str) -> str:
    return issue_dev_token(JWT_SECRET, user)
