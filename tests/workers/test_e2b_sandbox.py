"""The E2B adapter at the SDK boundary: a stand-in for `AsyncSandbox` raising the SDK's own errors."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from e2b.exceptions import FileNotFoundException, SandboxNotFoundException, TimeoutException
from e2b.sandbox.commands.command_handle import CommandExitException, CommandResult

from domain.enums import Framework
from domain.ids import ProjectId
from workers.sandboxes.base import SandboxError
from workers.sandboxes.e2b import E2BSandboxProvider

TEMPLATES = {framework: f"tpl-{framework.value.lower()}" for framework in Framework}


class FakeFiles:
    def __init__(self) -> None:
        self.stored: dict[str, str] = {}

    async def write(self, path: str, data: str) -> None:
        self.stored[path] = data

    async def read(self, path: str) -> str:
        if path not in self.stored:
            raise FileNotFoundException(f"{path} not found")
        return self.stored[path]


class FakeCommands:
    def __init__(self) -> None:
        self.outcome: Any = CommandResult(stdout="ok", stderr="", exit_code=0, error=None)

    async def run(self, command: str, cwd: str, timeout: float) -> Any:
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


class FakeSandbox:
    """What the adapter uses of `e2b.AsyncSandbox`, recording how it was made."""

    existing: dict[str, FakeSandbox] = {}
    created: list[dict[str, Any]] = []

    def __init__(self) -> None:
        self.sandbox_id = f"sbx-{uuid4().hex[:8]}"
        self.files = FakeFiles()
        self.commands = FakeCommands()
        self.timeouts: list[int] = []

    @classmethod
    async def create(cls, **options: Any) -> FakeSandbox:
        cls.created.append(options)
        sandbox = cls()
        cls.existing[sandbox.sandbox_id] = sandbox
        return sandbox

    @classmethod
    async def connect(cls, sandbox_id: str, **options: Any) -> FakeSandbox:
        if sandbox_id not in cls.existing:
            raise SandboxNotFoundException(f"sandbox {sandbox_id} not found")
        return cls.existing[sandbox_id]

    def get_host(self, port: int) -> str:
        return f"{port}-{self.sandbox_id}.e2b.app"

    async def set_timeout(self, seconds: int) -> None:
        self.timeouts.append(seconds)


@pytest.fixture
def provider() -> E2BSandboxProvider:
    FakeSandbox.existing, FakeSandbox.created = {}, []
    return E2BSandboxProvider("e2b-key", TEMPLATES, timeout_seconds=900, sandbox_class=FakeSandbox)


PROJECT = ProjectId(uuid4())


async def test_create_uses_the_frameworks_template_and_the_key(provider) -> None:
    await provider.create(PROJECT, Framework.VUE)

    options = FakeSandbox.created[0]
    assert (options["template"], options["api_key"], options["timeout"]) == ("tpl-vue", "e2b-key", 900)
    assert options["metadata"] == {"projectId": str(PROJECT)}


async def test_connecting_to_a_sandbox_that_is_gone_gives_none(provider) -> None:
    assert await provider.connect("sbx-expired") is None


async def test_connect_finds_an_existing_sandbox(provider) -> None:
    created = await provider.create(PROJECT, Framework.REACT)

    assert (await provider.connect(created.id)).id == created.id


async def test_a_written_file_reads_back_from_the_project_root(provider) -> None:
    sandbox = await provider.create(PROJECT, Framework.REACT)

    await sandbox.write_files({"src/App.jsx": "export default 1"})

    assert await sandbox.read_file("src/App.jsx") == "export default 1"
    assert "/home/user/src/App.jsx" in FakeSandbox.existing[sandbox.id].files.stored
    assert await sandbox.read_file("missing.js") is None


async def test_a_path_leaving_the_project_is_refused(provider) -> None:
    sandbox = await provider.create(PROJECT, Framework.REACT)

    with pytest.raises(SandboxError):
        await sandbox.write_files({"../etc/passwd": "x"})


async def test_a_failing_command_is_a_result_with_its_output(provider) -> None:
    sandbox = await provider.create(PROJECT, Framework.REACT)
    FakeSandbox.existing[sandbox.id].commands.outcome = CommandExitException(
        stdout="", stderr="npm ERR! missing script", exit_code=1, error=None
    )

    result = await sandbox.run("npm run nope", 10)

    assert (result.exit_code, result.stderr) == (1, "npm ERR! missing script")


async def test_a_command_that_times_out_is_a_sandbox_error(provider) -> None:
    sandbox = await provider.create(PROJECT, Framework.REACT)
    FakeSandbox.existing[sandbox.id].commands.outcome = TimeoutException("deadline exceeded")

    with pytest.raises(SandboxError, match="timed out"):
        await sandbox.run("sleep 100", 1)


@pytest.mark.parametrize(("framework", "port"), [(Framework.NEXTJS, 3000), (Framework.REACT, 5173)])
async def test_the_preview_url_is_the_dev_servers_host(provider, framework, port) -> None:
    sandbox = await provider.create(PROJECT, framework)

    assert await sandbox.preview_url(framework) == f"https://{port}-{sandbox.id}.e2b.app"


async def test_keep_alive_extends_the_sandboxs_timeout(provider) -> None:
    sandbox = await provider.create(PROJECT, Framework.REACT)

    await sandbox.keep_alive(1800)

    assert FakeSandbox.existing[sandbox.id].timeouts == [1800]
