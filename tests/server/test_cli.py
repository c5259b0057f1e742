"""The `forge` command as a newcomer runs it, in a fresh working directory."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import jwt
import pytest

from tests import services
from tests.conftest import OAUTH_KEY, http_client

FORGE = str(Path(sys.executable).with_name("forge"))
READY_TIMEOUT_SECONDS = 30


def forge_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORGE_") or k.startswith("FORGE_TEST_")}
    return {**env, **overrides}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_until_ready(url: str, process: subprocess.Popen[str]) -> None:
    async with http_client(url) as http:
        for _ in range(READY_TIMEOUT_SECONDS * 10):
            if process.poll() is not None:
                raise AssertionError(f"forge serve exited with {process.returncode}")
            try:
                if (await http.get(f"{url}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("forge serve did not become ready")


@pytest.fixture
def served(tmp_path):
    """`forge serve` in an empty directory; yields (url, process). Output goes to a file."""
    port = free_port()
    log = (tmp_path / "serve.log").open("w+")
    process = subprocess.Popen(
        [FORGE, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=forge_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield f"http://127.0.0.1:{port}", process, tmp_path / "serve.log"
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)
    log.close()


async def test_serve_prints_the_url_and_a_token_that_works(served):
    url, process, log = served
    await wait_until_ready(url, process)
    output = log.read_text()
    token = re.search(r"export TOKEN=(\S+)", output).group(1)

    async with http_client(url) as http:
        http.headers["Authorization"] = f"Bearer {token}"
        created = await http.post(f"{url}/api/projects", json={"message": "Build a to-do list app"})
        listed = await http.get(f"{url}/api/projects")

    assert f"ForgeAI server at {url}" in output
    assert created.status_code == 201
    assert [p["id"] for p in listed.json()] == [created.json()["id"]]


async def test_serve_creates_its_sqlite_file_and_dev_secret_in_data(served, tmp_path):
    url, process, _ = served

    await wait_until_ready(url, process)

    assert {"dev-jwt-secret", "forge.sqlite3"} <= {p.name for p in (tmp_path / "data").iterdir()}


def test_token_prints_a_token_for_the_user(tmp_path):
    result = subprocess.run(
        [FORGE, "token", "alice"], cwd=tmp_path, env=forge_env(), capture_output=True, text=True, check=True
    )

    secret = (tmp_path / "data" / "dev-jwt-secret").read_text().strip()
    assert jwt.decode(result.stdout.strip(), secret, algorithms=["HS256"])["sub"] == "alice"


def test_a_wrong_setting_stops_with_one_line(tmp_path):
    result = subprocess.run(
        [FORGE, "serve"], cwd=tmp_path, env=forge_env(FORGE_PORT="eighty"), capture_output=True, text=True
    )

    assert result.returncode == 2
    assert result.stderr == "forge: FORGE_PORT: expected an integer between 1 and 65535, got 'eighty'\n"


def test_a_standalone_worker_without_redis_says_it_needs_it(tmp_path):
    result = subprocess.run([FORGE, "worker"], cwd=tmp_path, env=forge_env(), capture_output=True, text=True)

    assert result.returncode == 2
    assert result.stderr.startswith("forge worker: FORGE_REDIS_URL is required")


def test_serve_with_commands_allowed_and_no_bubblewrap_refuses_to_start(tmp_path):
    env = forge_env(FORGE_SANDBOX_ALLOW_COMMANDS="true", PATH=str(tmp_path))  # no bwrap on this PATH

    result = subprocess.run([FORGE, "serve"], cwd=tmp_path, env=env, capture_output=True, text=True)

    assert result.returncode == 2
    assert result.stderr.startswith(
        "forge serve: FORGE_SANDBOX_ALLOW_COMMANDS: the agent's commands run inside bubblewrap, "
        "which is not installed"
    )
    assert "FORGE_SANDBOX_ALLOW_UNCONFINED_COMMANDS=true" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.fixture
def empty_postgres_url():
    url = asyncio.run(services.create_database(migrated=False))
    if isinstance(url, services.Unavailable):
        services.unavailable(url.reason)
    yield url
    asyncio.run(services.drop_database(url))


def test_serve_refuses_an_unmigrated_postgres_and_migrate_fixes_it(tmp_path, empty_postgres_url):
    env = forge_env(
        FORGE_DATABASE_URL=empty_postgres_url,
        FORGE_PORT=str(free_port()),
        FORGE_OAUTH_ENCRYPTION_KEY=OAUTH_KEY,
    )

    refused = subprocess.run(
        [FORGE, "serve"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    migrated = subprocess.run(
        [FORGE, "migrate"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    again = subprocess.run(
        [FORGE, "migrate"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )

    assert refused.returncode == 2
    assert "run `forge migrate`" in refused.stderr
    assert migrated.returncode == 0
    assert migrated.stdout.startswith("forge migrate: applied 0001_initial, ")
    assert again.stdout == "forge migrate: up to date\n"


async def test_the_printed_token_lives_an_hour(served):
    url, process, log = served
    await wait_until_ready(url, process)
    token = re.search(r"export TOKEN=(\S+)", log.read_text()).group(1)

    claims = jwt.decode(token, options={"verify_signature": False})

    assert claims["exp"] - claims["iat"] == 3600


def test_development_authentication_off_loopback_is_refused(tmp_path):
    result = subprocess.run(
        [FORGE, "serve", "--host", "0.0.0.0", "--port", str(free_port())],
        cwd=tmp_path,
        env=forge_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    assert "FORGE_DEV_AUTH=true" in result.stderr


def test_a_user_id_that_cannot_be_stored_gets_no_token(tmp_path):
    result = subprocess.run(
        [FORGE, "token", "a" * 256], cwd=tmp_path, env=forge_env(), capture_output=True, text=True
    )

    assert result.returncode == 2
    assert result.stdout == ""


def test_token_carries_the_name_and_picture_asked_for(tmp_path):
    command = [FORGE, "token", "ada", "--name", "Ada Lovelace", "--image-url", "https://img.example/ada.png"]
    result = subprocess.run(
        command, cwd=tmp_path, env=forge_env(), capture_output=True, text=True, check=True
    )

    secret = (tmp_path / "data" / "dev-jwt-secret").read_text().strip()
    claims = jwt.decode(result.stdout.strip(), secret, algorithms=["HS256"])
    assert (claims["sub"], claims["name"], claims["image_url"]) == (
        "ada",
        "Ada Lovelace",
        "https://img.example/ada.png",
    )


def test_a_name_that_cannot_be_shown_gets_no_token(tmp_path):
    result = subprocess.run(
        [FORGE, "token", "ada", "--name", "x" * 101],
        cwd=tmp_path,
        env=forge_env(),
        capture_output=True,
        text=True,
    )

    assert (result.returncode, result.stdout) == (2, "")
    assert "a name is 1 to 100 printable characters" in result.stderr


async def test_ctrl_c_stops_serve_cleanly_without_a_traceback(served):
    url, process, log = served
    await wait_until_ready(url, process)

    process.send_signal(signal.SIGINT)  # what a terminal's Ctrl+C sends

    assert process.wait(timeout=20) == 0
    output = log.read_text()
    assert "Traceback" not in output
    assert "forge serve: stopped" in output
