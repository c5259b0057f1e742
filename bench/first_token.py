"""First-token overhead: the local model server writes a run's first token → a tab receives its
`message.delta`, through the whole path (Anthropic SDK → worker → broker → WebSocket), beside a
baseline measured in the same run: the SDK alone receiving the same token. Also counts the
database writes each streamed message cost.

    .venv/bin/python bench/first_token.py [--runs 30]

Embedded deployment (SQLite, in-process broker and worker), the local model server of the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import JWT_SECRET, free_port, machine, today, token
from tests.fakes.anthropic_server import FakeAnthropic, Reply
from workers.agent.model import ChatMessage, ModelRequest
from workers.providers.anthropic import AnthropicProvider

PIECES = [f"word{n} " for n in range(40)]
WRITE = ("toolu_1", "createOrUpdateFiles", {"files": [{"path": "index.html", "content": "<h1>Todos</h1>"}]})
SUMMARY = Reply(text=["<task_summary>A to-do list.</task_summary>"])


def _reply() -> Reply:
    return Reply(text=PIECES, tools=[WRITE], delay_seconds=0.005)


async def _baseline(fake: FakeAnthropic, runs: int) -> list[float]:
    provider = AnthropicProvider(api_key="bench", base_url=fake.base_url, max_retries=0)
    request = ModelRequest(
        model="claude-bench",
        system="s",
        messages=[ChatMessage(role="user", content=[{"type": "text", "text": "x"}])],
        tools=[],
        max_tokens=100,
    )
    latencies = []
    for _ in range(runs):
        fake.script(_reply())
        received: list[float] = []

        async def on_text(text: str, received: list[float] = received) -> None:
            if not received:
                received.append(time.monotonic())

        await provider.reply(request, on_text)
        latencies.append((received[0] - fake.first_text_sent[-1]) * 1000)
    await provider.close()
    return latencies


async def _forge(fake: FakeAnthropic, runs: int, workdir: Path) -> tuple[list[float], list[int]]:
    from websockets.asyncio.client import connect

    port = free_port()
    env = {
        "FORGE_PORT": str(port),
        "FORGE_DATA_DIR": str(workdir / "data"),
        "FORGE_JWT_SECRET": JWT_SECRET,
        "FORGE_ANTHROPIC_API_KEY": "bench",
        "FORGE_ANTHROPIC_BASE_URL": fake.base_url,
        "FORGE_LOG_LEVEL": "WARNING",
        "FORGE_RATE_LIMIT_WRITES_PER_MINUTE": "1000000",
        "PATH": "/usr/bin:/bin",
        "FORGE_OFFLINE_WORD_DELAY_MS": "0",
    }
    server = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("forge")),
        "serve",
        cwd=workdir,
        env=env,
        stdout=(workdir / "serve.log").open("w"),
        stderr=asyncio.subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    latencies, writes = [], []
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            for _ in range(300):
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            for n in range(runs):
                headers = {"Authorization": f"Bearer {token(f'bench{n}')}"}
                project = (
                    await http.post(
                        "/api/projects", json={"name": "b", "framework": "REACT"}, headers=headers
                    )
                ).json()
                tab = await connect(
                    f"ws://127.0.0.1:{port}/ws/projects/{project['id']}?token={token(f'bench{n}')}"
                )
                await tab.recv()
                fake.script(_reply(), SUMMARY)
                await http.post(
                    f"/api/projects/{project['id']}/messages", json={"value": "a to-do list"}, headers=headers
                )
                first = None
                async for raw in tab:
                    frame = json.loads(raw)
                    if frame["type"] == "message.delta" and first is None:
                        first = time.monotonic()
                    if frame["type"] == "fragment.updated":
                        metadata = frame["fragment"]["metadata"]
                        writes.append(metadata["progressSaves"] + 1)  # + the final content, once
                        break
                assert first is not None
                latencies.append((first - fake.first_text_sent[-2]) * 1000)
                await tab.close()
    except Exception:
        sys.stderr.write((workdir / "serve.log").read_text()[-3000:])
        raise
    finally:
        server.terminate()
        await server.wait()
    return latencies, writes


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def main(runs: int) -> None:
    async with FakeAnthropic() as fake:
        baseline = await _baseline(fake, runs)
        with tempfile.TemporaryDirectory() as workdir:
            ours, writes = await _forge(fake, runs, Path(workdir))
    print(
        f"\nbench/first_token — {today()} — {machine()} — {runs} runs, {len(PIECES)} streamed pieces each\n"
    )
    print("| path | first token p50 ms | p99 ms | database writes per streamed message |")
    print("| --- | ---: | ---: | ---: |")
    print(
        f"| forge (SDK → worker → broker → tab) | {statistics.median(ours):.1f} | {_p(ours, 0.99):.1f} | "
        f"{statistics.mean(writes):.1f} |"
    )
    print(f"| baseline (SDK alone) | {statistics.median(baseline):.1f} | {_p(baseline, 0.99):.1f} | — |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=30)
    asyncio.run(main(parser.parse_args().runs))
