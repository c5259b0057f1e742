"""`FORGE_LOG_FORMAT=json`: a real `forge serve` writes one JSON object per line to stderr, uvicorn's
access log included; the lines of a request carry its id, those of a run carry the run's."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.auth import issue_dev_token
from tests.conftest import JWT_SECRET, http_client
from tests.processes import FORGE, forge_env, free_port, wait_until_ready

LINE_SECONDS = 10.0
RUN_SECONDS = 30.0


class JsonServe:
    def __init__(self, tmp_path: Path) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        self.stderr = tmp_path / "stderr.log"
        self.headers = {"Authorization": f"Bearer {issue_dev_token(JWT_SECRET, 'alice')}"}
        env = forge_env(
            FORGE_PORT=self.url.rsplit(":", 1)[1],
            FORGE_LOG_FORMAT="json",
            FORGE_LOG_LEVEL="INFO",
            FORGE_JWT_SECRET=JWT_SECRET,
            FORGE_OFFLINE_WORD_DELAY_MS="0",
        )
        with self.stderr.open("w") as err:
            self.process = subprocess.Popen(
                [FORGE, "serve"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=err
            )

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stderr.read_text().splitlines()]

    async def line_where(self, **fields: str) -> dict[str, Any]:
        """The first line holding these fields, once it was written."""
        async with asyncio.timeout(LINE_SECONDS):
            while True:
                found = [line for line in self.lines() if fields.items() <= line.items()]
                if found:
                    return found[0]
                await asyncio.sleep(0.05)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[JsonServe]:
    serve = JsonServe(tmp_path)
    wait_until_ready(serve.url, serve.process, serve.stderr)
    yield serve
    serve.process.terminate()
    serve.process.wait(timeout=20)


async def test_the_lines_of_a_request_carry_the_id_its_response_names(served):
    async with http_client(served.url) as http:
        response = await http.get("/api/projects", headers={**served.headers, "X-Request-Id": "req-42"})

    line = await served.line_where(request_id="req-42", logger="uvicorn.access")

    assert response.headers["x-request-id"] == "req-42"
    assert '"GET /api/projects HTTP/1.1" 200' in line["message"]
    assert {"time", "level", "logger", "message"} <= set(line)


async def test_the_lines_of_a_run_carry_its_id(served):
    async with http_client(served.url) as http:
        http.headers.update(served.headers)
        project = (await http.post("/api/projects", json={"message": "a counter app"})).json()
        runs = (await http.get(f"/api/projects/{project['id']}/runs")).json()["items"]

    line = await served.line_where(run_id=runs[0]["id"], logger="forge.worker")

    assert line["message"].startswith(f"run {runs[0]['id']} completed in ")
    assert "request_id" not in line
