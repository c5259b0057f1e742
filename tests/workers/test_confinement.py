"""The local sandbox's commands: a clean environment always; inside bubblewrap, nothing outside
their folder, no network, no other process."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import pytest

from domain.enums import Framework
from domain.ids import ProjectId
from workers.sandboxes.confinement import (
    JAIL_HOME,
    SYSTEM_PATH,
    Confinement,
    ConfinementUnavailable,
    Unconfined,
    confinement,
    npm_install,
)
from workers.sandboxes.local import LocalSandbox, LocalSandboxProvider


async def _sandbox(root: Path, commands: Confinement) -> LocalSandbox:
    return await LocalSandboxProvider(root / "sandboxes", "http://127.0.0.1:8000", commands).create(
        ProjectId(uuid4()), Framework.REACT
    )


@pytest.fixture
async def confined(tmp_path: Path, bubblewrap: Confinement) -> LocalSandbox:
    return await _sandbox(tmp_path, bubblewrap)


@pytest.fixture
async def listener() -> AsyncIterator[tuple[int, list[str]]]:
    """A TCP server on this machine's loopback, as PostgreSQL and Redis are; it notes each visit."""
    visits: list[str] = []

    async def visited(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        visits.append("visit")
        writer.close()

    server = await asyncio.start_server(visited, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1], visits


def _connect(port: int) -> str:
    return f"python3 -c \"import socket; socket.create_connection(('127.0.0.1', {port}), 2)\""


async def test_a_command_gets_none_of_the_servers_environment(
    confined: LocalSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORGE_JWT_SECRET", "s3cret-of-the-server")

    result = await confined.run("env", timeout_seconds=10)

    variables = dict(line.split("=", 1) for line in result.stdout.splitlines())
    assert "s3cret-of-the-server" not in result.stdout
    assert not [name for name in variables if name.startswith("FORGE_")]
    assert (variables["HOME"], variables["PATH"]) == (JAIL_HOME, SYSTEM_PATH)


async def test_an_unconfined_command_gets_none_of_the_servers_environment_either(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORGE_OAUTH_ENCRYPTION_KEY", "k3y-of-the-server")
    sandbox = await _sandbox(tmp_path, Unconfined())

    result = await sandbox.run("env", timeout_seconds=10)

    variables = dict(line.split("=", 1) for line in result.stdout.splitlines())
    assert "k3y-of-the-server" not in result.stdout
    assert variables["HOME"] == str(sandbox.folder)


async def test_a_command_reads_nothing_outside_its_folder(confined: LocalSandbox, tmp_path: Path) -> None:
    secret = tmp_path / "forge.sqlite3"
    secret.write_text("the database")

    result = await confined.run(f"cat {secret} ../../forge.sqlite3 ../forge.sqlite3", timeout_seconds=10)

    assert result.exit_code != 0
    assert "the database" not in result.stdout


async def test_a_command_does_not_see_the_servers_process(confined: LocalSandbox) -> None:
    result = await confined.run(f"cat /proc/{os.getpid()}/environ", timeout_seconds=10)

    assert result.exit_code != 0
    assert result.stdout == ""


async def test_a_command_writes_its_own_folder(confined: LocalSandbox) -> None:
    result = await confined.run("mkdir -p src && echo made > src/a.txt", timeout_seconds=10)

    assert result.exit_code == 0
    assert (confined.folder / "src" / "a.txt").read_text() == "made\n"


async def test_a_commands_tmp_is_its_own(confined: LocalSandbox) -> None:
    name = f"forge-probe-{secrets.token_hex(4)}"

    result = await confined.run(f"echo x > /tmp/{name} && cat /tmp/{name}", timeout_seconds=10)

    assert (result.exit_code, result.stdout) == (0, "x\n")
    assert not (Path("/tmp") / name).exists()


async def test_a_command_cannot_reach_this_machines_services(
    confined: LocalSandbox, listener: tuple[int, list[str]]
) -> None:
    port, visits = listener

    result = await confined.run(_connect(port), timeout_seconds=10)

    assert result.exit_code != 0
    assert visits == []


async def test_a_launch_that_asks_for_the_network_has_it(
    tmp_path: Path, bubblewrap: Confinement, listener: tuple[int, list[str]]
) -> None:
    port, visits = listener
    launch = bubblewrap.launch(_connect(port), tmp_path, network=True)

    process = await asyncio.create_subprocess_exec(*launch.argv, cwd=launch.cwd, env=launch.env)

    assert await process.wait() == 0
    assert visits == ["visit"]


@pytest.mark.parametrize(
    ("command", "made"),
    [
        ("npm install", "npm install --ignore-scripts --no-audit --no-fund"),
        ("npm i react@^18 -D", "npm i 'react@^18' -D --ignore-scripts --no-audit --no-fund"),
        ("npm add @types/node", "npm add @types/node --ignore-scripts --no-audit --no-fund"),
    ],
)
def test_npm_s_own_install_is_made_one_that_runs_no_scripts(command: str, made: str) -> None:
    assert npm_install(command) == made


@pytest.mark.parametrize(
    "command",
    [
        "npm run build",
        "npm install && curl http://127.0.0.1:6379",
        "npm i left-pad; cat /etc/passwd",
        "npm i $(cat secret)",
        "npm i http://127.0.0.1:6379/x.tgz",
        "npm i --registry=http://127.0.0.1:6379",
        "npm i ../other",
        "npx create-vite",
        "npm 'unbalanced",
    ],
)
def test_anything_else_gets_no_network(command: str) -> None:
    assert npm_install(command) is None


def test_commands_without_bubblewrap_are_refused_unless_the_weaker_mode_is_accepted(tmp_path: Path) -> None:
    missing = str(tmp_path / "bwrap")

    with pytest.raises(ConfinementUnavailable, match="FORGE_SANDBOX_ALLOW_UNCONFINED_COMMANDS=true"):
        confinement(allow_unconfined=False, executable=missing)
    assert isinstance(confinement(allow_unconfined=True, executable=missing), Unconfined)
