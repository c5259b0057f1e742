"""The embedded deployment's SQLite engine lends a few long-lived connections for queries and
transactions, and keeps Piccolo's semantics: commits, rollbacks, nesting, concurrent readers.

SQLite only: on PostgreSQL the pool is asyncpg's.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from piccolo.columns import Varchar
from piccolo.engine.sqlite import TransactionType
from piccolo.table import Table

from db.engine import Database
from db.migrate import migrate

POOL_SIZE = 4
WAIT_SECONDS = 5


class NoteTable(Table, tablename="pool_notes"):
    body = Varchar(length=50)


OpenDatabase = Callable[[int], Awaitable[Database]]


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[aiosqlite.Connection]:
    """Every aiosqlite connection opened during the test (real ones, counted)."""
    opened: list[aiosqlite.Connection] = []
    real_connect = aiosqlite.connect

    def counted_connect(*args: Any, **kwargs: Any) -> aiosqlite.Connection:
        opened.append(real_connect(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(aiosqlite, "connect", counted_connect)
    return opened


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "forge.db"


@pytest.fixture
async def open_database(path: Path, connects: list[aiosqlite.Connection]) -> AsyncIterator[OpenDatabase]:
    """A migrated SQLite file (WAL, as the server sets it) with the notes table, on a pool."""
    url = f"sqlite:///{path}"
    await migrate(url)
    opened: list[Database] = []

    async def open_(pool_size: int) -> Database:
        database = Database(url, pool_size=pool_size)
        await database.start()
        NoteTable._meta.db = database.engine
        await NoteTable.create_table(if_not_exists=True)
        opened.append(database)
        return database

    yield open_
    for database in opened:
        await database.stop()


@pytest.fixture
async def database(open_database: OpenDatabase) -> Database:
    return await open_database(POOL_SIZE)


def committed_notes(path: Path) -> int:
    """Notes another connection sees, i.e. committed ones."""
    with sqlite3.connect(path) as connection:
        return int(connection.execute("SELECT count(*) FROM pool_notes").fetchone()[0])


async def add_note(body: str = "note") -> None:
    await NoteTable.insert(NoteTable(body=body))


async def test_sequential_queries_share_one_connection(database, connects):
    for _ in range(200):
        await NoteTable.count()

    assert len(connects) == 1


async def test_concurrent_queries_open_at_most_pool_size_connections(database, connects):
    await asyncio.gather(*(NoteTable.select() for _ in range(200)))

    assert len(connects) == POOL_SIZE


async def test_transactions_reuse_the_pooled_connection(database, connects):
    for _ in range(50):
        async with database.transaction():
            await add_note()

    assert (len(connects), await NoteTable.count()) == (1, 50)


async def test_an_insert_outside_a_transaction_returns_its_key_and_is_committed(database, path):
    rows = await NoteTable.insert(NoteTable(body="first"))

    assert rows == [{"id": 1}]
    assert committed_notes(path) == 1


async def test_a_failed_transaction_rolls_back_and_its_connection_stays_usable(database, connects):
    with pytest.raises(RuntimeError):
        async with database.transaction():
            await add_note()
            raise RuntimeError("boom")

    await add_note()
    assert (len(connects), await NoteTable.count()) == (1, 1)


async def test_a_connection_given_back_inside_a_transaction_is_rolled_back(database, path):
    connection = await database.engine.pool.acquire()
    await connection.execute("BEGIN IMMEDIATE")
    await connection.execute("INSERT INTO pool_notes (body) VALUES ('lost')")

    await database.engine.pool.release(connection)

    async with asyncio.timeout(WAIT_SECONDS), database.transaction():  # the write lock is free
        await add_note()
    assert committed_notes(path) == 1


async def test_a_writer_cancelled_while_waiting_for_the_lock_leaves_no_transaction_open(database, path):
    holding, done = asyncio.Event(), asyncio.Event()

    async def hold_the_write_lock() -> None:
        async with database.transaction():
            await add_note("holder")
            holding.set()
            await done.wait()

    holder = asyncio.create_task(hold_the_write_lock())
    await holding.wait()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2), database.transaction():  # its BEGIN waits for the lock
            await add_note("never")
    done.set()
    await holder

    await asyncio.gather(*(add_note("after") for _ in range(POOL_SIZE)))  # on every connection
    assert committed_notes(path) == 1 + POOL_SIZE


async def test_readers_go_on_while_a_writer_holds_the_write_lock(database):
    holding, done = asyncio.Event(), asyncio.Event()

    async def write() -> None:
        async with database.transaction():
            await add_note()
            holding.set()
            await done.wait()

    writer = asyncio.create_task(write())
    await holding.wait()

    async with asyncio.timeout(WAIT_SECONDS):
        counts = await asyncio.gather(*(NoteTable.count() for _ in range(20)))
    done.set()
    await writer
    assert counts == [0] * 20


async def test_concurrent_readers_and_immediate_writers_all_succeed(database):
    async def read() -> None:
        async with database.engine.transaction():  # a read snapshot held across writers' commits
            await NoteTable.count()
            await asyncio.sleep(0)
            await NoteTable.count()

    async def write() -> None:
        async with database.transaction():
            await add_note()
            await asyncio.sleep(0)

    await asyncio.gather(*(read() for _ in range(30)), *(write() for _ in range(20)))

    assert await NoteTable.count() == 20


async def test_a_nested_transaction_joins_its_parent(database):
    with pytest.raises(RuntimeError):
        async with database.engine.transaction(TransactionType.immediate) as outer:
            async with database.engine.transaction() as inner:
                assert inner is outer
                await add_note()
            raise RuntimeError("the parent fails after the nested one ended")

    assert await NoteTable.count() == 0


async def test_a_transaction_on_the_last_connection_runs_nested_queries_while_others_wait(
    open_database,
):
    database = await open_database(1)
    inside = asyncio.Event()

    async def transaction() -> int:
        async with database.transaction():
            inside.set()
            await asyncio.sleep(0)  # the reader below is now waiting for the only connection
            await add_note()
            async with database.transaction():
                await add_note()
            return int(await NoteTable.count())

    async def read_after_it_began() -> int:
        await inside.wait()
        return int(await NoteTable.count())

    async with asyncio.timeout(WAIT_SECONDS):
        results = await asyncio.gather(transaction(), read_after_it_began())

    assert results == [2, 2]


def all_finished(threads: set[threading.Thread]) -> bool:
    for thread in threads:
        thread.join(WAIT_SECONDS)
    return not any(thread.is_alive() for thread in threads)


async def test_stop_closes_every_idle_connection(open_database):
    before = set(threading.enumerate())
    database = await open_database(POOL_SIZE)
    inside, done = asyncio.Barrier(POOL_SIZE + 1), asyncio.Event()

    async def hold() -> None:
        async with database.engine.transaction():
            await inside.wait()
            await done.wait()

    holders = [asyncio.create_task(hold()) for _ in range(POOL_SIZE)]
    await inside.wait()
    done.set()
    await asyncio.gather(*holders)
    threads = set(threading.enumerate()) - before

    await database.stop()

    assert len(threads) == POOL_SIZE
    assert all_finished(threads)


async def test_stop_closes_a_lent_connection_when_it_comes_back(open_database):
    before = set(threading.enumerate())
    database = await open_database(POOL_SIZE)
    inside, done = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with database.engine.transaction():
            inside.set()
            await done.wait()

    holder = asyncio.create_task(hold())
    await inside.wait()
    threads = set(threading.enumerate()) - before
    await database.stop()

    done.set()
    await holder

    assert len(threads) == 1
    assert all_finished(threads)


async def test_a_query_after_stop_fails_with_a_clear_error(database):
    await database.stop()

    with pytest.raises(RuntimeError, match="pool is closed"):
        await NoteTable.count()
