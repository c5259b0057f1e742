"""Migration 0009 says who sent each USER message written before sharing existed: the project's
owner, who was the only one who could; the agent's messages stay without a sender."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest

from db.migrate import migrate
from tests.migrated import migrated_before

MEMBERS_MIGRATION = "0009_members"
NOW = datetime.now(UTC)
PROJECT, PROMPT, REPLY = uuid4(), uuid4(), uuid4()
INSERTS = [
    (
        "INSERT INTO projects (id, user_id, name, framework, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (PROJECT, "alice", "Old", "NEXTJS", NOW, NOW),
    ),
    *[
        (
            "INSERT INTO messages (id, project_id, content, role, type, status, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (message, PROJECT, "text", role, "RESULT", "COMPLETE", NOW, NOW),
        )
        for message, role in ((PROMPT, "USER"), (REPLY, "ASSISTANT"))
    ],
]


@pytest.fixture(params=["postgres", "sqlite"])
def before_sharing(request, tmp_path: Path, monkeypatch) -> Iterator[tuple[str, str]]:
    """(dialect, url) of a database migrated up to the migration before sharing, with a project and
    two messages."""
    dialect = str(request.param)
    with migrated_before(dialect, MEMBERS_MIGRATION, tmp_path, monkeypatch) as url:
        asyncio.run(_write(dialect, url))
        yield dialect, url


async def _write(dialect: str, url: str) -> None:
    if dialect == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            for sql, values in INSERTS:
                connection.execute(sql, tuple(str(v) if not isinstance(v, str) else v for v in values))
        return
    connection = await asyncpg.connect(url)
    try:
        for sql, values in INSERTS:
            numbered = sql
            for n in range(1, len(values) + 1):
                numbered = numbered.replace("?", f"${n}", 1)
            await connection.execute(numbered, *values)
    finally:
        await connection.close()


async def _senders(dialect: str, url: str) -> dict[str, str | None]:
    query = "SELECT id, user_id FROM messages"
    if dialect == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            return {str(i): u for i, u in connection.execute(query)}
    connection = await asyncpg.connect(url)
    try:
        return {str(r["id"]): r["user_id"] for r in await connection.fetch(query)}
    finally:
        await connection.close()


def test_old_user_messages_were_sent_by_the_projects_owner(before_sharing):
    dialect, url = before_sharing

    asyncio.run(migrate(url))

    assert asyncio.run(_senders(dialect, url)) == {str(PROMPT): "alice", str(REPLY): None}
