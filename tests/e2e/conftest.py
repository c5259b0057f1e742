"""Processes of the scaled deployment share one PostgreSQL database and one Redis prefix, on one
Redis server and on a Redis Cluster."""

from __future__ import annotations

import pytest

from tests.processes import ServeProcess, scaled_deployment


@pytest.fixture(params=["scaled", "cluster"])
def scaled_env(request, postgres_url, redis_problem):
    cluster_url = request.getfixturevalue("redis_cluster") if request.param == "cluster" else None
    with scaled_deployment(postgres_url, redis_problem, cluster_url) as env:
        yield env


@pytest.fixture
def two_servers(tmp_path, scaled_env):
    servers = [ServeProcess(tmp_path, **scaled_env) for _ in range(2)]
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.terminate()
