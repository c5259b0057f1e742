"""Scale: the scaled deployment under a prompt on every project, losing a server and a worker.

Two `forge serve` (no in-process worker) and two `forge worker` processes share a scratch
PostgreSQL database and a Redis key prefix. P plain projects, one user each; T tabs spread evenly
over both servers and the projects, each reading every frame (bench/scale_tabs.py). Then one prompt
per project, all at once; the workers run them all together (concurrency P / 2 each) on the
offline model, slowed to `--word-delay-ms` a word so that runs stream for a few seconds. Once the
tabs of most projects got deltas, one server and one worker are killed (SIGKILL): the server's tabs
resume on the other server with since/epoch, as the browser editor does; the worker's runs are
taken over once their lease (5 s here) expires. Then, via REST on the surviving server, every
run must end, and the tabs must go quiet.

    .venv/bin/python bench/scale.py [--projects 50] [--tabs 1000] [--word-delay-ms 30]
        [--redis-url redis://127.0.0.1:6379/0 | --redis-cluster] [--json]

Figures: deliveries/s is sequenced frames received by all tabs over the run phase (from the
prompts to the last such frame). Commit-to-tab is a frame's arrival minus the `updatedAt` of the
run, message, fragment or project it carries, which its transaction sets just before committing
(milliseconds, the same machine's clock; frames a resume replays are left out). Reconnect is from
a tab's connection dropping to the first frame of its new one, the editor's back-off (0.15 to
0.25 s first) included. Must be zero, or the exit status is 1: frames lost, duplicated or reordered
(per tab and epoch), tabs that failed or that end off their project's head (a fresh tab's hello
seq), runs that did not end exactly once (one run, COMPLETED or FAILED, and one COMPLETE reply of
the matching type), users whose credits are not one spent per completed run (failed ones are
refunded). Failed runs are counted, with their reasons. The CPU row says who had the machine
meanwhile: on a shared one, a starved worker renews its short lease late and loses runs.

`--redis-cluster` runs every process on a Redis Cluster (FORGE_REDIS_CLUSTER=true): a local one of
three masters the bench starts for itself (as the test suite does, tests/redis_cluster.py), or
the cluster a node of which `--redis-url` names when it is given. Needs PostgreSQL, and Redis (or
redis-server and redis-cli for the cluster), as the test suite does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from contextlib import ExitStack, asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    JWT_SECRET,
    REDIS_URL,
    CpuSince,
    ScratchDatabase,
    Serve,
    Worker,
    delete_redis_prefix,
    heading,
    markdown_table,
    new_redis_prefix,
    raise_fd_limit,
)
from bench.scale_rest import Users
from bench.scale_tabs import Board, Tab, head, open_tabs, tally, wait_quiet
from tests.redis_cluster import LocalCluster

SERVERS = WORKERS = 2
LEASE_SECONDS = 5
STREAMING_SHARE = 0.8
"""The kill comes once the tabs of this share of the projects got a delta."""
QUIET_SECONDS = 2.0
TIMEOUT_SECONDS = 300.0
MUST_BE_ZERO = (
    *("lost", "duplicated", "reordered", "tab_failures", "tabs_off_head"),
    *("runs_not_once", "credits_wrong"),
)


@dataclass
class Figures:
    projects: int
    tabs: int
    word_delay_ms: int
    run_phase_s: float
    """From the prompts to the last frame with a seq any tab got."""
    deliveries: int
    deliveries_per_s: float
    commit_to_tab_p50_ms: float
    commit_to_tab_p99_ms: float
    reconnects: int
    reconnect_attempts: int
    reconnect_p50_ms: float
    reconnect_p99_ms: float
    reconnect_max_ms: float
    lost: int
    duplicated: int
    reordered: int
    snapshot_fallbacks: int
    tab_failures: int
    tabs_off_head: int
    runs_completed: int
    runs_failed: int
    failed_because: dict[str, int]
    """How many runs failed with each `error`."""
    runs_retried: int
    """Runs with more than one attempt: the killed worker's, and any whose lease lapsed under load."""
    runs_held_by_killed_worker: int
    """Runs RUNNING on the killed worker as their projects' tabs last saw them before the kill."""
    runs_not_once: int
    credits_wrong: int
    cpu_forge_s: float
    """CPU time of the forge processes from the prompts until the tabs were quiet; the tabs' own
    process and the rest of the machine (PostgreSQL, Redis, whatever else runs) likewise."""
    cpu_tabs_s: float
    cpu_rest_s: float

    def failures(self) -> list[str]:
        return [name for name in MUST_BE_ZERO if getattr(self, name)]


@asynccontextmanager
async def redis_side(url: str | None, cluster: bool, folder: Path) -> AsyncIterator[dict[str, str]]:
    """The Redis settings of every process: a fresh key prefix on the Redis at `url`, deleted after;
    with `cluster` and no `url`, a local Redis Cluster of the run's own, in `folder`."""
    if cluster and url is None:
        local = LocalCluster(folder / "redis-cluster")
        local.start()
        try:
            async with redis_side(local.url, cluster, folder) as settings:
                yield settings
        finally:
            local.stop()
        return
    url = url or REDIS_URL
    prefix = new_redis_prefix()
    settings = {"FORGE_REDIS_URL": url, "FORGE_REDIS_PREFIX": prefix}
    if cluster:
        settings["FORGE_REDIS_CLUSTER"] = "true"
    try:
        yield settings
    finally:
        await delete_redis_prefix(prefix, url, cluster=cluster)


async def scenario(
    env: Mapping[str, str], workdir: Path, *, projects: int, tabs: int, word_delay_ms: int
) -> Figures:
    """The whole run on the PostgreSQL database and Redis that `env` (FORGE_ settings) names."""
    data_dir = workdir / "data"  # shared, as the compose file's sandboxes volume: previews of any run
    common = {**env, "FORGE_DATA_DIR": str(data_dir), "FORGE_WORKER_LEASE_SECONDS": str(LEASE_SECONDS)}
    worker_settings = {
        **common,
        "FORGE_WORKER_POLL_SECONDS": "1",
        "FORGE_WORKER_CONCURRENCY": str(math.ceil(projects / WORKERS)),
        "FORGE_OFFLINE_WORD_DELAY_MS": str(word_delay_ms),
    }
    with ExitStack() as stack:
        servers = [stack.enter_context(Serve(None, None, workdir, **common)) for _ in range(SERVERS)]
        workers = [stack.enter_context(Worker(workdir, data_dir, **worker_settings)) for _ in range(WORKERS)]
        urls, survivor = [server.url for server in servers], servers[1].url
        doomed, spared = [servers[0].pid, workers[0].pid], [servers[1].pid, workers[1].pid]
        async with Users(env.get("FORGE_JWT_SECRET", JWT_SECRET), projects) as users:
            await users.create_projects(urls)
            board = Board(enough_streaming=math.ceil(STREAMING_SHARE * projects))
            tab_list = [
                Tab(
                    users.projects[n % projects],
                    users.tokens[n % projects],
                    urls,
                    n // projects % SERVERS,
                    board,
                )
                for n in range(tabs)
            ]
            await open_tabs(tab_list)
            started, cpu = time.time(), CpuSince(doomed + spared)
            await users.prompt(urls)
            async with asyncio.timeout(TIMEOUT_SECONDS):
                await board.streamed.wait()
            held = sum(
                status == "RUNNING" and f":{workers[0].pid}:" in claimed_by
                for _, status, claimed_by in board.runs.values()
            )
            cpu.stop(doomed)
            for process in (servers[0], workers[0]):
                process.process.kill()
                process.process.wait()
            async with asyncio.timeout(TIMEOUT_SECONDS):
                runs = await users.until_runs_end(survivor)
                await wait_quiet(board, tab_list, QUIET_SECONDS)
            forge_cpu, tabs_cpu, rest_cpu = cpu.used(spared)
            heads = {p: await head(survivor, p, t) for p, t in zip(users.projects, users.tokens, strict=True)}
            for tab in tab_list:
                await tab.stop()
            audit = await users.audit(survivor, runs)
    run_phase = board.last_delivery - started
    return Figures(
        projects=projects,
        tabs=tabs,
        word_delay_ms=word_delay_ms,
        run_phase_s=round(run_phase, 2),
        deliveries=board.deliveries,
        deliveries_per_s=round(board.deliveries / run_phase),
        **tally(tab_list, heads),
        runs_completed=sum(run["status"] == "COMPLETED" for run in runs.values()),
        runs_failed=sum(run["status"] == "FAILED" for run in runs.values()),
        failed_because=dict(Counter(run["error"] for run in runs.values() if run["status"] == "FAILED")),
        runs_retried=sum(run["attempts"] > 1 for run in runs.values()),
        runs_held_by_killed_worker=held,
        **audit,
        cpu_forge_s=round(forge_cpu, 1),
        cpu_tabs_s=round(tabs_cpu, 1),
        cpu_rest_s=round(rest_cpu, 1),
    )


def report(figures: Figures, redis: str) -> str:
    f = figures
    params = (
        f"{SERVERS} forge serve + {WORKERS} forge worker, {f.projects} projects x {f.tabs // f.projects} "
        f"tabs, one prompt each, offline model at {f.word_delay_ms} ms a word, lease {LEASE_SECONDS} s, "
        f"SIGKILL of a server and a worker mid-stream, Redis: {redis}"
    )
    rows = [
        ["run phase s", f.run_phase_s, ""],
        ["deliveries (frames with seq, all tabs)", f"{f.deliveries:,}", ""],
        ["deliveries/s", f"{f.deliveries_per_s:,}", ""],
        ["commit-to-tab p50 / p99 ms", f"{f.commit_to_tab_p50_ms} / {f.commit_to_tab_p99_ms}", ""],
        ["reconnects (tabs of the killed server) / attempts", f"{f.reconnects} / {f.reconnect_attempts}", ""],
        [
            "reconnect p50 / p99 / max ms",
            f"{f.reconnect_p50_ms} / {f.reconnect_p99_ms} / {f.reconnect_max_ms}",
            "",
        ],
        ["lost / duplicated / reordered frames", f"{f.lost} / {f.duplicated} / {f.reordered}", "0"],
        ["snapshot fallbacks (hello instead of resumed)", f.snapshot_fallbacks, ""],
        ["tabs failed / off their project's head", f"{f.tab_failures} / {f.tabs_off_head}", "0"],
        ["runs completed / failed", f"{f.runs_completed} / {f.runs_failed}", ""],
        ["runs on the killed worker / retried", f"{f.runs_held_by_killed_worker} / {f.runs_retried}", ""],
        ["prompts not ended exactly once", f.runs_not_once, "0"],
        ["users whose credits are off", f.credits_wrong, "0"],
        [
            "CPU s: forge processes / tabs / rest of machine",
            f"{f.cpu_forge_s} / {f.cpu_tabs_s} / {f.cpu_rest_s}",
            "",
        ],
    ]
    table = markdown_table(("figure", "value", "must be"), rows)
    notes = "".join(f"\n- {count} run(s) failed: {error}" for error, count in f.failed_because.items())
    return f"{heading('scale', params)}\n\n{table}\n{notes}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--tabs", type=int, default=1000, help="spread evenly over the projects")
    parser.add_argument("--word-delay-ms", type=int, default=30, help="the offline model's pace")
    parser.add_argument("--redis-url", help=f"default: {REDIS_URL}, or a local cluster with --redis-cluster")
    parser.add_argument("--redis-cluster", action="store_true", help="run on a Redis Cluster")
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    raise_fd_limit()

    async def run() -> Figures:
        sizes = {"projects": args.projects, "tabs": args.tabs, "word_delay_ms": args.word_delay_ms}
        with tempfile.TemporaryDirectory() as folder:
            async with (
                ScratchDatabase() as database_url,
                redis_side(args.redis_url, args.redis_cluster, Path(folder)) as redis,
            ):
                return await scenario({"FORGE_DATABASE_URL": database_url, **redis}, Path(folder), **sizes)

    import uvloop  # as the servers run (uvicorn's default when installed)

    figures = uvloop.run(run())
    redis = ("a local Redis Cluster (3 masters)" if args.redis_cluster and not args.redis_url else "") or (
        ("cluster at " if args.redis_cluster else "") + (args.redis_url or REDIS_URL)
    )
    print(json.dumps(asdict(figures)) if args.json else report(figures, redis))
    if failures := figures.failures():
        sys.exit(f"must be zero but are not: {', '.join(failures)}")


if __name__ == "__main__":
    main()
