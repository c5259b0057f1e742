"""Applies the SQL files of `db/migrations` in order, once each, recording them in the database.

Each migration has one file per dialect (`NNNN_name.postgres.sql`, `NNNN_name.sqlite.sql`) and
runs in its own transaction, so a failing migration leaves the schema as it was.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from db.engine import asyncpg_dsn, is_postgres_url, sqlite_path

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Any constant works: it only has to be the same for every process that migrates.
POSTGRES_MIGRATION_LOCK = 7_301_420_246

_CREATE_LEDGER = (
    "CREATE TABLE IF NOT EXISTS schema_migrations "
    "(version VARCHAR(255) PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP)"
)


@dataclass(frozen=True)
class Migration:
    version: str
    sql: str


def migrations_for(dialect: str) -> list[Migration]:
    """Every migration of the dialect ('postgres' or 'sqlite'), oldest first."""
    files = sorted(MIGRATIONS_DIR.glob(f"*.{dialect}.sql"))
    return [Migration(f.name.removesuffix(f".{dialect}.sql"), f.read_text()) for f in files]


async def migrate(url: str) -> list[str]:
    """Brings the database at `url` up to date; returns the versions it applied."""
    if is_postgres_url(url):
        return await _migrate_postgres(asyncpg_dsn(url))
    return await asyncio.to_thread(_migrate_sqlite, sqlite_path(url))


async def _migrate_postgres(dsn: str) -> list[str]:
    connection = await asyncpg.connect(dsn)
    applied: list[str] = []
    try:
        for migration in migrations_for("postgres"):
            async with connection.transaction():
                # Two servers starting together must not both apply the same migration.
                await connection.execute("SELECT pg_advisory_xact_lock($1)", POSTGRES_MIGRATION_LOCK)
                await connection.execute(_CREATE_LEDGER)
                done = await connection.fetchval(
                    "SELECT 1 FROM schema_migrations WHERE version = $1", migration.version
                )
                if done:
                    continue
                await connection.execute(migration.sql)
                await connection.execute(
                    "INSERT INTO schema_migrations (version) VALUES ($1)", migration.version
                )
                applied.append(migration.version)
    finally:
        await connection.close()
    return applied


def _migrate_sqlite(path: Path) -> list[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    applied: list[str] = []
    try:
        # WAL lets readers go on while one writer writes; the setting stays with the file.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(_CREATE_LEDGER)
        for migration in migrations_for("sqlite"):
            connection.execute("BEGIN IMMEDIATE")
            try:
                done = connection.execute(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)
                ).fetchone()
                if not done:
                    for statement in _statements(migration.sql):
                        connection.execute(statement)
                    connection.execute(
                        "INSERT INTO schema_migrations (version) VALUES (?)", (migration.version,)
                    )
                    applied.append(migration.version)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
    finally:
        connection.close()
    return applied


def _statements(script: str) -> list[str]:
    """Splits a script at the ends of complete statements (sqlite3 runs one at a time)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]


async def pending_migrations(url: str) -> list[str]:
    """Versions not yet applied to the PostgreSQL database at `url`."""
    versions = [m.version for m in migrations_for("postgres")]
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        has_ledger = await connection.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
        done = (
            {r["version"] for r in await connection.fetch("SELECT version FROM schema_migrations")}
            if has_ledger
            else set()
        )
    finally:
        await connection.close()
    return [v for v in versions if v not in done]
