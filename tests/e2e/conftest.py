"""Processes of the scaled deployment share one PostgreSQL database and one Redis prefix."""

from __future__ import annotations

import asyncio
import secrets

import pytest

from tests import services
from tests.conftest import JWT_SECRET, OAUTH_KEY


@pytest.fixture
def scaled_env(postgres_url, redis_problem):
    if isinstance(postgres_url, services.Unavailable):
        services.unavailable(postgres_url.reason)
    if redis_problem is not None:
        services.unavailable(redis_problem.reason)
    asyncio.run(services.truncate_all(postgres_url))
    prefix = f"forge-test:{secrets.token_hex(6)}:"
    yield {
        "FORGE_DATABASE_URL": postgres_url,
        "FORGE_REDIS_URL": services.REDIS_URL,
        "FORGE_REDIS_PREFIX": prefix,
        "FORGE_OAUTH_ENCRYPTION_KEY": OAUTH_KEY,
        "FORGE_JWT_SECRET": JWT_SECRET,
    }
    asyncio.run(services.delete_prefix(prefix))
