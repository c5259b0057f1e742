"""The embedded deployment's SQLite engine: Piccolo's, with a small pool of long-lived aiosqlite
connections lent for one query or for a whole transaction, instead of a new connection (and a new
aiosqlite thread, started while the event loop waits) for each.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from typing import TYPE_CHECKING, Any, cast

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

if TYPE_CHECKING:
    from types import TracebackType

logger = logging.getLogger("forge.db")

# The stores ask for inserted and updated rows with RETURNING, which SQLite has from 3.35 on.
MIN_SQLITE_VERSION = (3, 35)


class SQLitePool:
    """At most `size` connections, each opened when first needed and configured once.

    The idle connection used last is lent first, so a quiet process keeps one warm connection.
    A connection comes back outside any transaction. One whose borrower was cancelled is closed
    instead: its thread may still be running the cancelled statement (a `BEGIN IMMEDIATE` waiting
    for the write lock, say), and closing after that statement rolls back whatever it began.
    """

    def __init__(self, connection_kwargs: dict[str, Any], size: int) -> None:
        if size < 1:
            raise ValueError("a SQLite pool needs at least one connection")
        self._connection_kwargs = connection_kwargs
        self._slots = asyncio.Semaphore(size)
        self._idle: list[aiosqlite.Connection] = []
        self._closing: set[asyncio.Task[None]] = set()
        self._closed = False

    async def acquire(self) -> aiosqlite.Connection:
        await self._slots.acquire()
        if self._closed:
            self._slots.release()
            raise RuntimeError("the SQLite pool is closed")
        if self._idle:
            return self._idle.pop()
        try:
            return await self._open()
        except BaseException:
            self._slots.release()
            raise

    async def release(self, connection: aiosqlite.Connection, *, cancelled: bool = False) -> None:
        try:
            if cancelled:
                self._close_in_background(connection)
            elif self._closed:
                await connection.close()
            else:
                await self._keep(connection)
        finally:
            self._slots.release()

    async def close(self) -> None:
        """Closes the idle connections now and each lent one when it comes back."""
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()
        await asyncio.gather(*self._closing)

    async def _open(self) -> aiosqlite.Connection:
        # The busy timeout is sqlite3.connect's `timeout`, among the engine's connection kwargs.
        connection = await aiosqlite.connect(**self._connection_kwargs)
        try:
            connection.row_factory = dict_factory  # type: ignore[assignment]  # any callable works
            await connection.execute("PRAGMA foreign_keys = 1")
        except BaseException:
            self._close_in_background(connection)
            raise
        return connection

    async def _keep(self, connection: aiosqlite.Connection) -> None:
        try:
            # A borrower that failed before its COMMIT or ROLLBACK left its transaction open.
            if connection.in_transaction:
                await connection.rollback()
        except BaseException:
            self._close_in_background(connection)
            raise
        self._idle.append(connection)

    def _close_in_background(self, connection: aiosqlite.Connection) -> None:
        # The close waits its turn behind the statement the thread still runs, which may take up
        # to the busy timeout: a cancelled borrower must not wait for it, `close()` does.
        task = asyncio.create_task(_close_quietly(connection), name="sqlite-connection-close")
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)


async def _close_quietly(connection: aiosqlite.Connection) -> None:
    try:
        await connection.close()
    except Exception:  # nothing to do for a connection already given up, but say so
        logger.warning("closing a discarded SQLite connection failed", exc_info=True)


class PooledSQLiteTransaction(SQLiteTransaction):
    """Piccolo's transaction on a borrowed connection, given back rather than closed at the end.

    A nested transaction still joins its parent: its queries find the parent through the engine's
    `current_transaction` and run on the parent's connection, so they never wait for the pool.
    """

    engine: PooledSQLiteEngine

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.engine.pool.acquire()
        try:
            await self.begin()  # type: ignore[no-untyped-call]
        except asyncio.CancelledError:
            await self.engine.pool.release(self.connection, cancelled=True)
            raise
        except BaseException:
            await self.engine.pool.release(self.connection)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if self._parent is not None:
            return exception is None
        # After a cancellation the pool closes the connection, which rolls the transaction back.
        cancelled = isinstance(exception, asyncio.CancelledError)
        try:
            if exception is None and not (self._committed or self._rolled_back):
                await self.commit()  # type: ignore[no-untyped-call]
            elif exception is not None and not (self._rolled_back or cancelled):
                await self.rollback()  # type: ignore[no-untyped-call]
        except asyncio.CancelledError:
            cancelled = True
            raise
        finally:
            self.engine.current_transaction.reset(self.context)
            await self.engine.pool.release(self.connection, cancelled=cancelled)
        return exception is None


class PooledSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine with its queries and transactions on `pool`'s connections.

    `get_connection` and `batch` keep Piccolo's connection of their own: their callers close it.
    """

    def __init__(self, path: str, pool_size: int, **connection_kwargs: Any) -> None:
        if sqlite3.sqlite_version_info < MIN_SQLITE_VERSION:
            raise RuntimeError(f"SQLite {sqlite3.sqlite_version} is older than 3.35 (no RETURNING)")
        super().__init__(path=path, **connection_kwargs)
        self.pool = SQLitePool(self.connection_kwargs, pool_size)

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> PooledSQLiteTransaction:
        return PooledSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> list[dict[str, Any]]:
        # Piccolo commits after each query run outside a transaction. Its connections (and these)
        # have isolation_level=None, so SQLite commits each statement as it completes, which
        # execute_fetchall waits for: the write is committed before the connection goes back.
        connection = await self.pool.acquire()
        cancelled = False
        try:
            return await self._fetch_all(connection, query, args)
        except asyncio.CancelledError:
            cancelled = True
            raise
        finally:
            await self.pool.release(connection, cancelled=cancelled)

    async def _run_in_existing_connection(
        self,
        connection: aiosqlite.Connection,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> list[dict[str, Any]]:
        # Piccolo sets the row factory and the foreign_keys pragma before every query of a
        # transaction (the pragma does nothing inside one); a pooled connection has both already.
        return await self._fetch_all(connection, query, args)

    @staticmethod
    async def _fetch_all(
        connection: aiosqlite.Connection, query: str, args: list[Any] | None
    ) -> list[dict[str, Any]]:
        # One trip to the connection's thread, where execute + fetchall + close would take three.
        rows = await connection.execute_fetchall(query, args or [])
        return cast("list[dict[str, Any]]", rows)  # a list, of dicts made by dict_factory
