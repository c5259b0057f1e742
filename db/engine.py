"""The database engine: SQLite file by default, PostgreSQL through asyncpg for a postgres URL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from db.sqlite_pool import PooledSQLiteEngine
from db.tables import TABLES

POSTGRES_SCHEMES = frozenset({"postgres", "postgresql", "postgresql+asyncpg"})
SQLITE_BUSY_TIMEOUT_SECONDS = 30.0
POOL_CLOSE_SECONDS = 10.0
"""How long stopping waits for PostgreSQL connections in use to come back before closing them."""


def is_postgres_url(url: str) -> bool:
    return urlsplit(url).scheme in POSTGRES_SCHEMES


def sqlite_path(url: str) -> Path:
    """`sqlite:///relative/file.db` or `sqlite:////absolute/file.db`."""
    return Path(url.removeprefix("sqlite:///"))


def asyncpg_dsn(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


class Database:
    """One engine for the whole process, shared by every table.

    Piccolo binds tables to an engine globally, so a process talks to one database at a time;
    binding happens when the database starts, not at import. `pool_size` bounds the connections
    of either engine (on SQLite, each is a thread of aiosqlite's).
    """

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        self.is_postgres = is_postgres_url(url)
        self.pool_size = pool_size
        self.engine: Engine[Any]
        if self.is_postgres:
            self.engine = PostgresEngine(config={"dsn": asyncpg_dsn(url)})
        else:
            self.engine = PooledSQLiteEngine(
                path=str(sqlite_path(url)), pool_size=pool_size, timeout=SQLITE_BUSY_TIMEOUT_SECONDS
            )

    async def start(self) -> None:
        for table in TABLES:
            table._meta.db = self.engine
        if isinstance(self.engine, PostgresEngine):
            await self.engine.start_connection_pool(min_size=1, max_size=self.pool_size)

    async def stop(self) -> None:
        if isinstance(self.engine, PostgresEngine) and self.engine.pool is not None:
            pool = self.engine.pool
            try:
                async with asyncio.timeout(POOL_CLOSE_SECONDS):
                    await self.engine.close_connection_pool()
            except TimeoutError:
                # A task cancelled inside a Piccolo transaction's exit (after its COMMIT, before the
                # release: the outbox relay at shutdown) never gives its connection back, and
                # asyncpg's close would wait for it forever.
                pool.terminate()
                self.engine.pool = None
        elif isinstance(self.engine, PooledSQLiteEngine):
            await self.engine.pool.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """SQLite takes its write lock at BEGIN: two writers never deadlock half-way through."""
        if isinstance(self.engine, SQLiteEngine):
            async with self.engine.transaction(transaction_type=TransactionType.immediate):
                yield
        else:
            async with self.engine.transaction():
                yield

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[None]:
        """A read-only transaction over one consistent state: SQLite's deferred transactions read
        one WAL snapshot; PostgreSQL needs REPEATABLE READ for that (each statement of a READ
        COMMITTED transaction sees the latest commits)."""
        if isinstance(self.engine, PostgresEngine):
            async with _SnapshotTransaction(self.engine):
                yield
        else:
            async with self.engine.transaction(transaction_type=TransactionType.deferred):
                yield

    async def ping(self) -> None:
        """Raises if the database cannot answer a trivial query."""
        await self.engine.run_ddl("SELECT 1")


class _SnapshotTransaction(PostgresTransaction):
    """A Piccolo transaction that starts as REPEATABLE READ, READ ONLY."""

    async def begin(self) -> None:
        self.transaction = self.connection.transaction(isolation="repeatable_read", readonly=True)
        await self.transaction.start()
