"""SQLite query throughput of the embedded deployment's engine (a pool of long-lived aiosqlite
connections) beside a baseline measured in the same run: Piccolo's stock `SQLiteEngine`, which
opens a connection and starts a thread for every query outside a transaction and every transaction.

    .venv/bin/python bench/sqlite_queries.py [--selects 2000] [--writes 500] [--rounds 3]

Selects read one project by id, as a tab's `hello` does; writes insert one message each in an
immediate transaction, as the services do. Each cell runs at concurrency 1 and under load, on a
migrated WAL file in a scratch folder; the figure is the median of the rounds, and the two
engines take turns within each round. Needs neither PostgreSQL nor Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, TransactionType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine, today
from db.engine import SQLITE_BUSY_TIMEOUT_SECONDS
from db.migrate import migrate
from db.sqlite_pool import PooledSQLiteEngine
from db.tables import TABLES, MessageTable, ProjectTable
from forge.settings import Settings

POOL_SIZE = Settings().db_pool_size  # the server's default
SELECT_CONCURRENCY = (1, 50)
WRITE_CONCURRENCY = (1, 10)


@dataclass(frozen=True)
class Cell:
    workload: str
    concurrency: int
    operations: int


async def select_project(engine: Any, project_id: uuid.UUID) -> None:
    await ProjectTable.select().where(ProjectTable.id == project_id).first()


async def write_message(engine: Any, project_id: uuid.UUID) -> None:
    now = datetime.now(UTC)
    async with engine.transaction(transaction_type=TransactionType.immediate):
        await MessageTable.insert(
            MessageTable(
                id=uuid.uuid4(),
                project_id=project_id,
                content="hello",
                role="USER",
                type="TEXT",
                status="COMPLETE",
                created_at=now,
                updated_at=now,
            )
        )


OPERATIONS: dict[str, Callable[[Any, uuid.UUID], Awaitable[None]]] = {
    "select one project": select_project,
    "immediate-transaction insert": write_message,
}


async def ops_per_second(engine: Any, cell: Cell, project_id: uuid.UUID) -> float:
    operation = OPERATIONS[cell.workload]
    queue = iter(range(cell.operations))

    async def client() -> None:
        for _ in queue:  # the clients share one iterator: `operations` in all
            await operation(engine, project_id)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(cell.concurrency)))
    return cell.operations / (time.perf_counter() - started)


async def seed(path: Path) -> uuid.UUID:
    await migrate(f"sqlite:///{path}")
    engine = SQLiteEngine(path=str(path))
    for table in TABLES:
        table._meta.db = engine
    project_id = uuid.uuid4()
    now = datetime.now(UTC)
    await ProjectTable.insert(
        ProjectTable(
            id=project_id, user_id="bench", name="Bench", framework="REACT", created_at=now, updated_at=now
        )
    )
    return project_id


async def main(selects: int, writes: int, rounds: int) -> None:
    cells = [Cell("select one project", c, selects) for c in SELECT_CONCURRENCY] + [
        Cell("immediate-transaction insert", c, writes) for c in WRITE_CONCURRENCY
    ]
    results: dict[tuple[Cell, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        project_id = await seed(path)
        stock = SQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
        pooled = PooledSQLiteEngine(str(path), POOL_SIZE, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
        engines = {"stock": stock, "pooled": pooled}
        try:
            for _ in range(rounds):
                for cell in cells:
                    for name, engine in engines.items():
                        for table in TABLES:
                            table._meta.db = engine
                        rate = await ops_per_second(engine, cell, project_id)
                        results.setdefault((cell, name), []).append(rate)
        finally:
            await pooled.pool.close()

    print(
        f"bench/sqlite_queries — {today()} — {machine()} — {selects} selects and {writes} writes "
        f"per cell, pool of {POOL_SIZE}, median of {rounds} rounds"
    )
    print()
    print("| workload | concurrency | stock ops/s | pooled ops/s | pooled vs stock |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for cell in cells:
        stock_rate = statistics.median(results[(cell, "stock")])
        pooled_rate = statistics.median(results[(cell, "pooled")])
        print(
            f"| {cell.workload} | {cell.concurrency} | {stock_rate:,.0f} | {pooled_rate:,.0f} "
            f"| {pooled_rate / stock_rate:.2f}x |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--selects", type=int, default=2000)
    parser.add_argument("--writes", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.selects, arguments.writes, arguments.rounds))
