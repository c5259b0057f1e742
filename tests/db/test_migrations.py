"""The migrations build exactly the schema the Piccolo tables describe, on PostgreSQL and SQLite."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import asyncpg
import pytest
from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Bytea,
    Column,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)

from db.migrate import migrate
from db.tables import TABLES
from tests import services

LEDGER = "schema_migrations"
COMPOSITE_PRIMARY_KEYS = {"idempotency_keys": ["user_id", "key"]}
"""Piccolo declares one primary key column; these tables' migrations make a composite one."""


@dataclass(frozen=True)
class ColumnShape:
    type: str
    nullable: bool


@dataclass(frozen=True)
class ForeignKeyShape:
    column: str
    table: str
    on_delete: str


@dataclass(frozen=True)
class Schema:
    columns: dict[str, dict[str, ColumnShape]]
    primary_keys: dict[str, list[str]]
    foreign_keys: dict[str, set[ForeignKeyShape]]
    unique_columns: dict[str, set[str]]
    index_leaders: dict[str, set[str]]
    """Per table, the first column of every index (primary keys and unique constraints included)."""


POSTGRES_TYPES = {
    UUID: "uuid",
    Text: "text",
    Integer: "integer",
    Boolean: "boolean",
    Timestamptz: "timestamp with time zone",
    JSON: "json",
    Bytea: "bytea",
}
SQLITE_TYPES = {
    UUID: "UUID",
    Text: "TEXT",
    Integer: "INTEGER",
    Boolean: "BOOLEAN",
    Timestamptz: "TIMESTAMPTZ",
    JSON: "JSON",
    Bytea: "BLOB",
}


def expected_type(column: Column, dialect: str) -> str:
    if isinstance(column, ForeignKey):
        return expected_type(column._foreign_key_meta.resolved_references._meta.primary_key, dialect)
    if isinstance(column, Varchar):
        return f"character varying({column.length})" if dialect == "postgres" else f"VARCHAR({column.length})"
    types = POSTGRES_TYPES if dialect == "postgres" else SQLITE_TYPES
    return next(name for kind, name in types.items() if isinstance(column, kind))


def expected_schema(dialect: str) -> Schema:
    columns, primary_keys, foreign_keys, uniques = {}, {}, {}, {}
    for table in TABLES:
        name = table._meta.tablename
        columns[name] = {
            c._meta.db_column_name: ColumnShape(expected_type(c, dialect), c._meta.null or False)
            for c in table._meta.columns
        }
        primary_keys[name] = COMPOSITE_PRIMARY_KEYS.get(name, [table._meta.primary_key._meta.db_column_name])
        foreign_keys[name] = {
            ForeignKeyShape(
                c._meta.db_column_name,
                c._foreign_key_meta.resolved_references._meta.tablename,
                c._foreign_key_meta.on_delete.value.upper(),
            )
            for c in table._meta.foreign_key_columns
        }
        uniques[name] = {c._meta.db_column_name for c in table._meta.columns if c._meta.unique}
    return Schema(columns, primary_keys, foreign_keys, uniques, {})


async def postgres_schema(url: str) -> Schema:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            """SELECT table_name, column_name, is_nullable,
                      CASE WHEN data_type = 'character varying'
                           THEN 'character varying(' || character_maximum_length || ')'
                           ELSE data_type END AS type
               FROM information_schema.columns WHERE table_schema = 'public'"""
        )
        constraints = await connection.fetch(
            """SELECT c.conrelid::regclass::text AS table_name, c.contype::text, c.confdeltype::text,
                      c.confrelid::regclass::text AS target,
                      array(SELECT a.attname FROM unnest(c.conkey) k
                            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k) AS columns
               FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
               WHERE n.nspname = 'public'"""
        )
        leaders = await connection.fetch(
            """SELECT t.relname AS table_name, a.attname AS column_name
               FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
               JOIN pg_namespace n ON n.oid = t.relnamespace
               JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
               WHERE n.nspname = 'public'"""
        )
    finally:
        await connection.close()
    on_delete = {"c": "CASCADE", "n": "SET NULL", "a": "NO ACTION", "r": "RESTRICT", "d": "SET DEFAULT"}
    schema = _empty_schema({r["table_name"] for r in rows})
    for r in rows:
        schema.columns[r["table_name"]][r["column_name"]] = ColumnShape(r["type"], r["is_nullable"] == "YES")
    for c in constraints:
        table = c["table_name"]
        if c["contype"] == "p":
            schema.primary_keys[table] = list(c["columns"])
        elif c["contype"] == "f":
            fk = ForeignKeyShape(c["columns"][0], c["target"], on_delete[c["confdeltype"]])
            schema.foreign_keys[table].add(fk)
        elif c["contype"] == "u" and len(c["columns"]) == 1:
            schema.unique_columns[table].add(c["columns"][0])
    for r in leaders:
        schema.index_leaders[r["table_name"]].add(r["column_name"])
    return schema


def sqlite_schema(path: str) -> Schema:
    connection = sqlite3.connect(path)
    try:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        schema = _empty_schema(set(tables))
        for table in tables:
            for _, name, declared, notnull, _, pk in connection.execute(f"PRAGMA table_info({table})"):
                schema.columns[table][name] = ColumnShape(declared, not notnull and not pk)
                if pk:
                    schema.primary_keys[table].append(name)
            for row in connection.execute(f"PRAGMA foreign_key_list({table})"):
                schema.foreign_keys[table].add(ForeignKeyShape(row[3], row[2], row[6]))
            for _, index, _, origin, _ in connection.execute(f"PRAGMA index_list({table})"):
                columns = [r[2] for r in connection.execute(f"PRAGMA index_info({index})")]
                schema.index_leaders[table].add(columns[0])
                if origin == "u" and len(columns) == 1:  # a UNIQUE constraint, not the primary key
                    schema.unique_columns[table].add(columns[0])
            schema.index_leaders[table].update(schema.primary_keys[table])
    finally:
        connection.close()
    return schema


def _empty_schema(tables: set[str]) -> Schema:
    return Schema(
        columns={t: {} for t in tables},
        primary_keys={t: [] for t in tables},
        foreign_keys={t: set() for t in tables},
        unique_columns={t: set() for t in tables},
        index_leaders={t: set() for t in tables},
    )


@pytest.fixture(params=["postgres", "sqlite"])
def migrated(request, tmp_path) -> Iterator[tuple[str, str, Schema]]:
    """(dialect, url, schema read back) of an empty database after the migrations."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        asyncio.run(migrate(url))
        yield "sqlite", url, sqlite_schema(str(tmp_path / "fresh.sqlite3"))
        return
    url = asyncio.run(services.create_database(migrated=False))
    if isinstance(url, services.Unavailable):
        services.unavailable(url.reason)
    try:
        asyncio.run(migrate(url))
        yield "postgres", url, asyncio.run(postgres_schema(url))
    finally:
        asyncio.run(services.drop_database(url))


def test_tables_are_exactly_the_models(migrated):
    _, _, actual = migrated

    assert set(actual.columns) - {LEDGER} == {t._meta.tablename for t in TABLES}


def test_columns_have_the_models_types_and_nullability(migrated):
    dialect, _, actual = migrated

    assert {t: actual.columns[t] for t in expected_schema(dialect).columns} == expected_schema(
        dialect
    ).columns


def test_primary_keys_match(migrated):
    dialect, _, actual = migrated

    expected = expected_schema(dialect).primary_keys
    assert {t: actual.primary_keys[t] for t in expected} == expected


def test_foreign_keys_match_with_their_delete_actions(migrated):
    dialect, _, actual = migrated

    expected = expected_schema(dialect).foreign_keys
    assert {t: actual.foreign_keys[t] for t in expected} == expected


def test_unique_columns_match(migrated):
    dialect, _, actual = migrated

    expected = expected_schema(dialect).unique_columns
    assert {t: actual.unique_columns[t] for t in expected} == expected


def test_every_foreign_key_leads_an_index(migrated):
    _, _, actual = migrated

    unindexed = [
        f"{table}.{fk.column}"
        for table, fks in actual.foreign_keys.items()
        for fk in fks
        if fk.column not in actual.index_leaders[table]
    ]
    assert unindexed == []


def test_migrating_again_applies_nothing(migrated):
    _, url, _ = migrated

    assert asyncio.run(migrate(url)) == []
