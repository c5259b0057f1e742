"""Processes of the scaled deployment share one PostgreSQL database and one Redis prefix."""

from __future__ import annotations

import pytest

from tests.processes import scaled_deployment


@pytest.fixture
def scaled_env(postgres_url, redis_problem):
    with scaled_deployment(postgres_url, redis_problem) as env:
        yield env
