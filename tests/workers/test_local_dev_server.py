"""The local sandbox with commands allowed and Node.js present: the project's own dev server,
installed and started on a free port, is the preview."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from domain.enums import Framework
from domain.ids import ProjectId
from workers.sandboxes.confinement import Confinement, Unconfined
from workers.sandboxes.dev_servers import SWEEP_SECONDS
from workers.sandboxes.local import LocalSandboxProvider

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="Node.js and npm are not installed")

# A dev server with no dependencies, so `npm install` needs no registry: it serves the entry page
# on the port `npm run dev -- --port N` gives it, as Vite and Next.js do.
DEV_SERVER = """
const http = require("http");
const fs = require("fs");
const port = Number(process.argv[process.argv.indexOf("--port") + 1]);
http.createServer((request, response) => {
  response.writeHead(200, { "Content-Type": "text/html" });
  response.end(fs.readFileSync("index.html"));
}).listen(port, "127.0.0.1");
"""
PACKAGE = {"name": "dev-server-app", "private": True, "scripts": {"dev": "node server.js"}}


@pytest.fixture
async def provider(tmp_path: Path, bubblewrap: Confinement) -> AsyncIterator[LocalSandboxProvider]:
    provider = LocalSandboxProvider(tmp_path, "http://127.0.0.1:8000", bubblewrap)
    yield provider
    assert provider.dev_servers is not None
    provider.dev_servers.stop_all()


async def test_the_preview_is_the_projects_running_dev_server(provider: LocalSandboxProvider) -> None:
    project_id = ProjectId(uuid4())
    sandbox = await provider.create(project_id, Framework.REACT)
    await sandbox.write_files(
        {
            "package.json": json.dumps(PACKAGE),
            "server.js": DEV_SERVER,
            "index.html": "<h1>To-do list</h1>",
        }
    )

    url = await sandbox.preview_url(Framework.REACT)
    async with httpx.AsyncClient() as client:
        page = await client.get(url)

    assert not url.startswith(f"http://127.0.0.1:8000/preview/{project_id}")
    assert (page.status_code, page.text) == (200, "<h1>To-do list</h1>")


async def test_an_app_whose_dev_server_does_not_start_is_served_from_its_files(
    provider: LocalSandboxProvider,
) -> None:
    project_id = ProjectId(uuid4())
    sandbox = await provider.create(project_id, Framework.REACT)
    broken = {**PACKAGE, "scripts": {"dev": "node -e 'process.exit(1)'"}}
    await sandbox.write_files({"package.json": json.dumps(broken), "index.html": "<h1>Hi</h1>"})

    url = await sandbox.preview_url(Framework.REACT)

    assert url == f"http://127.0.0.1:8000/preview/{project_id}/"


async def test_the_dev_server_stops_once_another_process_removes_its_sandbox(
    provider: LocalSandboxProvider, tmp_path: Path
) -> None:
    project_id = ProjectId(uuid4())
    sandbox = await provider.create(project_id, Framework.REACT)
    await sandbox.write_files(
        {"package.json": json.dumps(PACKAGE), "server.js": DEV_SERVER, "index.html": "<h1>Hi</h1>"}
    )
    url = await sandbox.preview_url(Framework.REACT)
    web_process = LocalSandboxProvider(tmp_path, "http://127.0.0.1:8000")  # no dev server of its own

    await web_process.remove(project_id, sandbox.id)

    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.TransportError):
            await client.get(url)  # the first connection finds the folder gone and stops the server
        with pytest.raises(httpx.ConnectError):
            await client.get(url)
    assert not sandbox.folder.exists()


@pytest.fixture
async def unconfined(tmp_path: Path) -> AsyncIterator[LocalSandboxProvider]:
    provider = LocalSandboxProvider(tmp_path, "http://127.0.0.1:8000", Unconfined())
    yield provider
    assert provider.dev_servers is not None
    provider.dev_servers.stop_all()


async def test_an_unconfined_dev_server_stops_soon_after_its_sandbox_is_removed(
    unconfined: LocalSandboxProvider, tmp_path: Path
) -> None:
    provider = unconfined
    project_id = ProjectId(uuid4())
    sandbox = await provider.create(project_id, Framework.REACT)
    await sandbox.write_files(
        {"package.json": json.dumps(PACKAGE), "server.js": DEV_SERVER, "index.html": "<h1>Hi</h1>"}
    )
    url = await sandbox.preview_url(Framework.REACT)
    assert url != f"http://127.0.0.1:8000/preview/{project_id}/"

    await LocalSandboxProvider(tmp_path, "http://127.0.0.1:8000").remove(project_id, sandbox.id)

    await asyncio.sleep(SWEEP_SECONDS * 2)  # no request meanwhile: the sweep alone stops it

    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(url)
