"""Input tokens of one run over 15 rounds, with prompt caching and without, as the local model
server counts them: a `forge serve` (embedded, with its worker) runs the same prompt on a project
holding an app of 20 files, the model writing one more file in each of 14 rounds and then its
summary, once with `FORGE_ANTHROPIC_PROMPT_CACHING=true` and once with `false`.

    .venv/bin/python bench/cache_tokens.py [--rounds 15] [--files 20]

The local model server (tests/fakes/anthropic_server.py) plays Anthropic's prompt cache by its
documented rules and counts tokens at 4 characters each: the figures compare the two modes, not the
real tokenizer. "billed as" weighs the tokens as Anthropic prices them against a plain input token:
a cache write 1.25, a cache read 0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Serve, heading, markdown_table, token
from tests.fakes.anthropic_server import FakeAnthropic, Reply
from tests.fakes.prompt_cache import InputUsage

WRITE_PRICE, READ_PRICE = 1.25, 0.1
MODULE = "export function part{n}(items) {{\n  return items.map((item) => ({{ ...item, part: {n} }}));\n}}\n"


def _app(files: int) -> dict[str, str]:
    return {f"src/part{n}.js": MODULE.format(n=n) * 12 for n in range(files)}


def _script(rounds: int) -> list[Reply]:
    writes = [
        Reply(
            text=[f"Round {n}: ", "adding a module."],
            tools=[
                (
                    f"toolu_{n}",
                    "createOrUpdateFiles",
                    {"files": [{"path": f"src/new{n}.js", "content": MODULE.format(n=100 + n) * 12}]},
                )
            ],
        )
        for n in range(1, rounds)
    ]
    return [*writes, Reply(text=["<task_summary>Added the modules.</task_summary>"])]


async def _run(caching: bool, rounds: int, files: int, workdir: Path) -> list[InputUsage]:
    """The usage of each of one run's model calls."""
    async with FakeAnthropic() as fake:
        fake.script(*_script(rounds))
        settings = {
            "FORGE_WORKER_IN_PROCESS": "true",
            "FORGE_ANTHROPIC_API_KEY": "bench",
            "FORGE_ANTHROPIC_BASE_URL": fake.base_url,
            "FORGE_ANTHROPIC_PROMPT_CACHING": str(caching).lower(),
            "FORGE_AGENT_MAX_ITERATIONS": str(rounds),
            "FORGE_AGENT_MAX_TOKENS_PER_RUN": "100000000",
        }
        with Serve(None, None, workdir, **settings) as server:
            headers = {"Authorization": f"Bearer {token()}"}
            async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as http:
                project = (await http.post("/api/projects", json={"name": "b", "framework": "REACT"})).json()
                path = f"/api/projects/{project['id']}"
                draft = (await http.get(f"{path}/draft")).json()
                await http.put(f"{path}/draft", json={"files": _app(files), "version": draft["version"]})
                await http.post(f"{path}/messages", json={"value": "add fourteen modules"})
                async with asyncio.timeout(120):
                    while (await http.get(f"{path}/runs")).json()["items"][0]["status"] != "COMPLETED":  # noqa: ASYNC110
                        await asyncio.sleep(0.2)
        return list(fake.usages)


def _billed(usage: InputUsage) -> float:
    return (
        usage.input_tokens
        + WRITE_PRICE * usage.cache_creation_input_tokens
        + READ_PRICE * usage.cache_read_input_tokens
    )


def _totals(name: str, usages: list[InputUsage], baseline: float | None) -> list[object]:
    afresh = sum(u.input_tokens for u in usages)
    written = sum(u.cache_creation_input_tokens for u in usages)
    read = sum(u.cache_read_input_tokens for u in usages)
    billed = sum(_billed(u) for u in usages)
    versus = "" if baseline is None else f"{billed / baseline:.2f}x"
    return [
        name,
        len(usages),
        f"{afresh + written + read:,}",
        f"{afresh:,}",
        f"{written:,}",
        f"{read:,}",
        f"{billed:,.0f}",
        versus,
    ]


async def main(rounds: int, files: int) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        without = await _run(False, rounds, files, Path(workdir))
        cached = await _run(True, rounds, files, Path(workdir))
    params = f"one run of {rounds} rounds on an app of {files} files, the local model server's counts"
    baseline = sum(_billed(u) for u in without)
    print(f"\n{heading('cache_tokens', params)}\n")
    print(
        markdown_table(
            [
                "caching",
                "calls",
                "input tokens",
                "read afresh",
                "cache written",
                "cache read",
                "billed as",
                "vs without",
            ],
            [_totals("off", without, None), _totals("on", cached, baseline)],
        )
    )
    print(f"\n{heading('cache_tokens', params + ', per call')}\n")
    print(
        markdown_table(
            ["call", "input tokens, off", "read afresh, on", "cache written, on", "cache read, on"],
            [
                [
                    n,
                    f"{off.total:,}",
                    f"{on.input_tokens:,}",
                    f"{on.cache_creation_input_tokens:,}",
                    f"{on.cache_read_input_tokens:,}",
                ]
                for n, (off, on) in enumerate(zip(without, cached, strict=True), start=1)
            ],
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--files", type=int, default=20)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rounds, arguments.files))
