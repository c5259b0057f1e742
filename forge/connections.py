"""Opening what a process talks to: the database (migrated, or checked to be) and the key that
encrypts stored OAuth tokens (Redis: channels/redis_connection.py)."""

from __future__ import annotations

import logging

from db.engine import Database, is_postgres_url
from db.migrate import migrate, pending_migrations
from db.token_cipher import decode_key, new_key
from forge.settings import Settings

logger = logging.getLogger("forge")


class NotMigrated(Exception):
    """The PostgreSQL schema is behind the code; `forge migrate` brings it up to date."""


class ConfigurationError(Exception):
    """A combination of settings this deployment cannot run with."""


def oauth_key(settings: Settings) -> bytes:
    """The configured key; embedded, one kept in the data folder. PostgreSQL means several
    processes, which must share one key, so there it has to be configured."""
    if settings.oauth_encryption_key is not None:
        return decode_key(settings.oauth_encryption_key)
    if is_postgres_url(settings.resolved_database_url):
        raise ConfigurationError(
            "FORGE_OAUTH_ENCRYPTION_KEY: required with PostgreSQL, so every process shares it "
            f"(one fresh key: {new_key()})"
        )
    path = settings.oauth_key_path
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new_key() + "\n")
        path.chmod(0o600)
    return decode_key(path.read_text())


async def assert_migrated(url: str) -> None:
    """Raises NotMigrated if a PostgreSQL database lacks migrations (SQLite migrates itself)."""
    pending = await pending_migrations(url)
    if pending:
        raise NotMigrated(
            f"{len(pending)} migration(s) not applied ({', '.join(pending)}): run `forge migrate`"
        )


async def open_database(settings: Settings) -> Database:
    """SQLite is created and migrated on the spot; PostgreSQL must have been migrated already."""
    url = settings.resolved_database_url
    database = Database(url, pool_size=settings.db_pool_size)
    if database.is_postgres:
        await assert_migrated(url)
    else:
        applied = await migrate(url)
        if applied:
            logger.info("database %s: applied %s", url, ", ".join(applied))
    await database.start()
    return database
