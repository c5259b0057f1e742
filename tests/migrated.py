"""A database as an earlier release left it: migrated up to, not including, one migration, so a
test can write rows the old way and then apply the rest."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

import db.migrate
from db.migrate import migrate, migrations_for
from tests import services


@contextlib.contextmanager
def migrated_before(
    dialect: str, version: int, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The URL of a fresh `dialect` ("postgres" or "sqlite") database with every migration before
    `version` applied; a PostgreSQL one is dropped afterwards."""
    earlier = [m for m in migrations_for(dialect) if m.version < version]
    if dialect == "sqlite":
        url = f"sqlite:///{folder / 'old.sqlite3'}"
    else:
        created = asyncio.run(services.create_database(migrated=False))
        if isinstance(created, services.Unavailable):
            services.unavailable(created.reason)
        assert isinstance(created, str)
        url = created
    with monkeypatch.context() as patched:
        patched.setattr(db.migrate, "migrations_for", lambda _: earlier)
        asyncio.run(migrate(url))
    try:
        yield url
    finally:
        if dialect == "postgres":
            asyncio.run(services.drop_database(url))
