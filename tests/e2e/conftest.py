"""Processes of the scaled deployment share one PostgreSQL database and one Redis prefix, on one
Redis server and on a Redis Cluster."""

from __future__ import annotations

import pytest

from tests.processes import scaled_deployment


@pytest.fixture(params=["scaled", "cluster"])
def scaled_env(request, postgres_url, redis_problem):
    cluster_url = request.getfixturevalue("redis_cluster") if request.param == "cluster" else None
    with scaled_deployment(postgres_url, redis_problem, cluster_url) as env:
        yield env
