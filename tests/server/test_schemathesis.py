"""Schemathesis against `/schema` on both deployments: generated requests for every route, with a
valid token, must never get a 5xx or a response that breaks the documented schema."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.auth import issue_dev_token
from tests import services
from tests.conftest import JWT_SECRET, OAUTH_KEY

FORGE = str(Path(sys.executable).with_name("forge"))
EXAMPLES_PER_ROUTE = int(os.environ.get("FORGE_TEST_FUZZ_EXAMPLES", "15"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
GENEROUS_LIMITS = {
    "FORGE_RATE_LIMIT_WRITES_PER_MINUTE": "1000000",
    "FORGE_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE": "1000000",
    "FORGE_RATE_LIMIT_WEBHOOKS_PER_MINUTE": "1000000",
    "FORGE_WORKER_IN_PROCESS": "false",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module", params=["embedded", "scaled"])
def server(request, tmp_path_factory, postgres_url, redis_problem):
    """`forge serve` in its own process (schemathesis calls are blocking), on one deployment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORGE_") or k.startswith("FORGE_TEST_")}
    port = free_port()
    env.update(GENEROUS_LIMITS, FORGE_PORT=str(port), FORGE_JWT_SECRET=JWT_SECRET, FORGE_LOG_LEVEL="WARNING")
    prefix = f"forge-test:{secrets.token_hex(6)}:"
    if request.param == "scaled":
        if isinstance(postgres_url, services.Unavailable):
            services.unavailable(postgres_url.reason)
        if redis_problem is not None:
            services.unavailable(redis_problem.reason)
        env.update(
            FORGE_DATABASE_URL=postgres_url,
            FORGE_REDIS_URL=services.REDIS_URL,
            FORGE_REDIS_PREFIX=prefix,
            FORGE_OAUTH_ENCRYPTION_KEY=OAUTH_KEY,
        )
    cwd = tmp_path_factory.mktemp(request.param)
    log = (cwd / "serve.log").open("w")
    process = subprocess.Popen([FORGE, "serve"], cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        pytest.fail(f"forge serve did not start: {(cwd / 'serve.log').read_text()}")
    yield url
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)
    log.close()
    if request.param == "scaled":
        asyncio.run(services.delete_prefix(services.SINGLE_REDIS, prefix))


def operations(url: str):
    schema = schemathesis.openapi.from_url(f"{url}/schema/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


def test_every_route_survives_generated_requests(server):
    headers = {"Authorization": f"Bearer {issue_dev_token(JWT_SECRET, 'fuzzer')}"}
    failures = []
    statuses: list[int] = []
    for operation in operations(server):

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_ROUTE,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case):
            response = case.call_and_validate(base_url=server, headers=headers, checks=CHECKS)
            statuses.append(response.status_code)

        try:
            exercise()
        except Exception as error:  # collect every route's failure, then report them all
            failures.append(f"{operation.label}: {error}")

    assert failures == []
    assert {200, 400, 404} <= set(statuses)  # the generated requests reached real handlers
