"""The acceptance of the agent worker on a fresh machine: `forge serve` with no settings and no
keys, a to-do list prompt, one tab watching."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

from tests.processes import ServeProcess
from tests.ws import TabClient


def _banner_token(server: ServeProcess) -> str:
    """The development token `forge serve` prints for a newcomer."""
    found = re.search(r"export TOKEN=(\S+)", server.log.read_text())
    assert found, server.log.read_text()
    return found.group(1)


async def test_a_fresh_server_streams_a_to_do_app_into_a_tab_and_previews_it(tmp_path: Path) -> None:
    server = ServeProcess(tmp_path, FORGE_WORKER_IN_PROCESS="true")  # the default of `forge serve`
    try:
        server.wait_ready()
        token = _banner_token(server)
        auth = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=server.url, headers=auth) as api:
            created = await api.post("/api/projects", json={"message": "a to-do list app"})
            project_id = created.json()["id"]
            url = f"{server.url.replace('http', 'ws')}/ws/projects/{project_id}?token={token}"
            tab = TabClient(await connect(url, compression=None))
            fragment = (await tab.next_of("fragment.updated", timeout=60))["fragment"]
            page = await api.get(fragment["sandboxUrl"])
            await tab.close()
    finally:
        server.terminate()

    kinds = {frame["type"] for frame in tab.frames}
    assert {"message.delta", "file.written", "message.completed"} <= kinds
    assert {"index.html", "package.json"} <= set(fragment["files"])
    assert page.status_code == 200
    assert "to-do" in page.text.lower()
