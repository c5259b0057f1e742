"""Migration 0008 carries the fixed windows still open over to the spend ledger, on both engines:
each credit they counted becomes the spend of the run it paid for, dated when the run was made."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from db.migrate import migrate
from tests.migrated import migrated_before

LEDGER_MIGRATION = "0008_credit_ledger"
NOW = datetime.now(UTC)


class Run:
    def __init__(self, user: str, age: timedelta, credit_consumed: bool = True) -> None:
        self.id, self.user, self.created_at, self.credit_consumed = uuid4(), user, NOW - age, credit_consumed


# alice's window opened 4 hours ago and counted 2 credits: the runs of 4 hours ago (made a moment
# before it opened, as a run is) and of 2 hours ago. Her run of 30 hours ago was in an older window,
# her run of an hour ago was refunded.
ALICE_WINDOW = NOW + timedelta(hours=20)
ALICE_FIRST = Run("alice", timedelta(hours=4, milliseconds=5))
ALICE_SECOND = Run("alice", timedelta(hours=2))
RUNS = [
    Run("alice", timedelta(hours=30)),
    ALICE_FIRST,
    ALICE_SECOND,
    Run("alice", timedelta(hours=1), credit_consumed=False),
    Run("bob", timedelta(hours=26)),  # bob's window ended an hour ago
    Run("carol", timedelta(hours=1)),  # carol was reset by an administrator
]
USAGE = [("alice", 2, ALICE_WINDOW), ("bob", 3, NOW - timedelta(hours=1)), ("carol", 0, None)]
PROJECT = uuid4()


@pytest.fixture(params=["postgres", "sqlite"])
def before_the_ledger(request, tmp_path: Path, monkeypatch) -> Iterator[tuple[str, str]]:
    """(dialect, url) of a database migrated up to the migration before the ledger."""
    dialect = str(request.param)
    with migrated_before(dialect, LEDGER_MIGRATION, tmp_path, monkeypatch) as url:
        yield dialect, url


def project_row() -> tuple[Any, ...]:
    return (PROJECT, "alice", "Old", "NEXTJS", NOW, NOW)


def run_row(run: Run) -> tuple[Any, ...]:
    return (
        run.id,
        PROJECT,
        run.user,
        "SERVER",
        "COMPLETED",
        "an app",
        1,
        run.credit_consumed,
        run.created_at,
    )


PROJECT_SQL = "INSERT INTO projects (id, user_id, name, framework, created_at, updated_at) VALUES ({})"
RUN_SQL = (
    "INSERT INTO agent_runs (id, project_id, user_id, source, status, value, attempts, credit_consumed, "
    "created_at, updated_at) VALUES ({}, {})"
)
USAGE_SQL = "INSERT INTO usage (user_id, credits_used, window_ends_at, updated_at) VALUES ({})"
SPENDS_SQL = "SELECT id, user_id, run_id, spent_at, refunded_at FROM credit_spends ORDER BY spent_at"


def fill_sqlite(path: str) -> None:
    connection = sqlite3.connect(path)
    with connection:
        connection.execute(PROJECT_SQL.format("?, ?, ?, ?, ?, ?"), [as_sqlite(v) for v in project_row()])
        for run in RUNS:
            values = [as_sqlite(v) for v in run_row(run)]
            connection.execute(RUN_SQL.format(", ".join("?" * 9), "?"), [*values, values[-1]])
        for user, used, ends in USAGE:
            connection.execute(USAGE_SQL.format("?, ?, ?, ?"), [user, used, as_sqlite(ends), as_sqlite(NOW)])
    connection.close()


def as_sqlite(value: Any) -> Any:
    """As Piccolo stores values in SQLite: UUIDs as text, timestamps as UTC text."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return str(value.astimezone(UTC))
    return value


def sqlite_spends(path: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(SPENDS_SQL).fetchall()
    finally:
        connection.close()
    return [(UUID(i), u, UUID(r), datetime.fromisoformat(s), f) for i, u, r, s, f in rows]


async def fill_postgres(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(PROJECT_SQL.format("$1, $2, $3, $4, $5, $6"), *project_row())
        for run in RUNS:
            await connection.execute(
                RUN_SQL.format(", ".join(f"${n}" for n in range(1, 10)), "$9"), *run_row(run)
            )
        for user, used, ends in USAGE:
            await connection.execute(USAGE_SQL.format("$1, $2, $3, $4"), user, used, ends, NOW)
    finally:
        await connection.close()


async def postgres_spends(url: str) -> list[tuple[Any, ...]]:
    connection = await asyncpg.connect(url)
    try:
        return [tuple(row) for row in await connection.fetch(SPENDS_SQL)]
    finally:
        await connection.close()


def test_open_windows_become_the_spends_of_the_runs_they_counted(before_the_ledger):
    dialect, url = before_the_ledger
    path = url.removeprefix("sqlite:///")
    if dialect == "sqlite":
        fill_sqlite(path)
    else:
        asyncio.run(fill_postgres(url))

    assert LEDGER_MIGRATION in asyncio.run(migrate(url))

    spends = sqlite_spends(path) if dialect == "sqlite" else asyncio.run(postgres_spends(url))
    assert spends == [(run.id, "alice", run.id, run.created_at, None) for run in (ALICE_FIRST, ALICE_SECOND)]
