"""The fuzz stage, on both deployments against a `forge serve` process: Schemathesis drives every
route of `/schema` with valid and schema-breaking requests and every JSON route with arbitrary bytes
(never a 5xx, never a response that breaks the documented schema); Hypothesis drives the project
channel and the caller's own channel with arbitrary frames (each refused frame is answered with an
`error` or closed with 1007/1008/1009, never dropped without a close code, and writes nothing), and
the shared-code channel with arbitrary binary and text frames (answered, or closed with
1007/1008/1009, never failing on the server's side)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as connect_ws

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
ALL_CHECKS = list(HealthCheck)
NEGATIVE_CHECKS = [not_a_server_error, negative_data_rejection]
JSON = {"content-type": "application/json"}
HEADERS = {"Authorization": f"Bearer {issue_dev_token(JWT_SECRET, 'fuzzer')}"}
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


def _exercise(operation, strategy, call) -> str | None:
    """Runs `call` on the cases of `strategy`; the route's failure, if any, as one line."""

    @given(case=strategy)
    @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, database=None, suppress_health_check=ALL_CHECKS)
    def exercise(case):
        call(case)

    try:
        exercise()
    except Unsatisfiable:  # a route without inputs has no negative data to send
        return None
    except Exception as error:  # collect every route's failure, then report them all
        return f"{operation.label}: {error}"
    return None


def test_every_route_survives_generated_requests(server):
    statuses: list[int] = []

    def call(case):
        statuses.append(case.call_and_validate(base_url=server, headers=HEADERS, checks=CHECKS).status_code)

    failures = [_exercise(op, op.as_strategy(), call) for op in operations(server)]

    assert [f for f in failures if f] == []
    assert {200, 400, 404} <= set(statuses)  # the generated requests reached real handlers


def test_every_route_refuses_negative_data_without_a_server_error(server):
    """Values that break the schema (wrong types, out of range, missing fields): a 4xx, never a 5xx."""
    statuses: list[int] = []

    def call(case):
        response = case.call_and_validate(base_url=server, headers=HEADERS, checks=NEGATIVE_CHECKS)
        statuses.append(response.status_code)

    failures = [
        _exercise(op, op.as_strategy(generation_mode=GenerationMode.NEGATIVE), call)
        for op in operations(server)
    ]

    assert [f for f in failures if f] == []
    assert statuses and all(400 <= status < 500 or status < 300 for status in statuses)


@given(body=st.binary(max_size=256))
@settings(max_examples=EXAMPLES_PER_ROUTE * 2, deadline=None, database=None, suppress_health_check=ALL_CHECKS)
def _raw_bodies(
    http: httpx.Client, routes: list[tuple[str, str]], statuses: list[tuple[str, int]], body: bytes
) -> None:
    """Each generated body goes to every route: one example, many requests."""
    for method, path in routes:
        response = http.request(method, path, content=body, headers={**HEADERS, **JSON})
        statuses.append((f"{method} {path}", response.status_code))


def test_every_write_route_survives_arbitrary_bytes(server):
    """Bytes that are not JSON, not UTF-8, or JSON of any shape, as the body of every JSON route."""
    routes = [
        (op.method.upper(), _fill_path(op.path))
        for op in operations(server)
        if op.method.upper() in ("POST", "PUT", "PATCH") and op.body
    ]
    statuses: list[tuple[str, int]] = []

    with httpx.Client(base_url=server, verify=False) as http:
        _raw_bodies(http, routes, statuses)

    assert [(route, status) for route, status in statuses if status >= 500] == []


def _fill_path(path: str) -> str:
    """A made-up value for each path parameter: the body is refused before anything is looked up."""
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
FRAME_FIELDS = ("value", "files", "version", "attachments", "token", "ref")
OBJECT_FRAMES = st.fixed_dictionaries(
    {"type": st.sampled_from(["prompt", "draft.put", "ping", "auth", "nope", ""]) | st.text(max_size=12)},
    optional={name: JSON_VALUES for name in FRAME_FIELDS},
).map(json.dumps)
FRAMES = st.one_of(
    OBJECT_FRAMES,
    JSON_VALUES.map(json.dumps),  # JSON that is not an object
    st.text(max_size=200),  # text that is mostly not JSON
    st.binary(max_size=200),  # binary frames
    st.integers(min_value=1, max_value=3000).map(lambda depth: "[" * depth + "]" * depth),
    st.sampled_from(['{"type": "prompt", "value": "a\\u0000b"}', "x" * (70 * 1024)]),
)
CLOSE_CODES_FOR_BAD_FRAMES = {1007, 1008, 1009}
ABNORMAL_CLOSURE = 1006
"""What a client sees when the connection drops without a close frame."""


class ChannelFuzzer:
    """One project and a tab on it, or on the caller's own channel (`own`); after each frame, a
    ping tells when its answer is complete."""

    def __init__(self, url: str, own: bool = False) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, headers=HEADERS)
        self.project_id = self.http.post("/api/projects", json={"name": "Fuzzed"}).json()["id"]
        self.path = "/ws/me" if own else f"/ws/projects/{self.project_id}"
        self.tab: ClientConnection = self._open()
        self.pings = 0

    def _open(self) -> ClientConnection:
        token = HEADERS["Authorization"].removeprefix("Bearer ")
        ws_url = self.url.replace("http://", "ws://") + f"{self.path}?token={token}"
        tab = connect_ws(ws_url, max_size=None, legacy=True)
        assert json.loads(tab.recv(timeout=10))["type"] == "hello"
        return tab

    def state(self) -> tuple[int, int]:
        """What a refused frame must not change: the messages and the draft's version."""
        messages = self.http.get(f"/api/projects/{self.project_id}/messages").json()["items"]
        draft = self.http.get(f"/api/projects/{self.project_id}/draft").json()
        return len(messages), draft["version"]

    def send(self, frame: str | bytes) -> tuple[list[dict[str, object]], int | None]:
        """The frames that answered `frame`, and the close code if the server closed the tab."""
        self.pings += 1
        ref = f"fuzz-{self.pings}"
        answers: list[dict[str, object]] = []
        try:
            self.tab.send(frame)
            self.tab.send(json.dumps({"type": "ping", "ref": ref}))
            while True:
                answer = json.loads(self.tab.recv(timeout=10))
                if answer == {"type": "pong", "ref": ref}:
                    return answers, None
                answers.append(answer)
        except ConnectionClosed as closed:
            self.tab = self._open()
            return answers, closed.rcvd.code if closed.rcvd else ABNORMAL_CLOSURE


@given(frame=FRAMES)
@settings(max_examples=EXAMPLES_PER_ROUTE * 6, deadline=None, database=None, suppress_health_check=ALL_CHECKS)
def _fuzz_project_channel(fuzzer: ChannelFuzzer, frame: str | bytes) -> None:
    _answers_and_writes_nothing_when_refused(fuzzer, frame)


@given(frame=FRAMES)
@settings(max_examples=EXAMPLES_PER_ROUTE * 2, deadline=None, database=None, suppress_health_check=ALL_CHECKS)
def _fuzz_own_channel(fuzzer: ChannelFuzzer, frame: str | bytes) -> None:
    _answers_and_writes_nothing_when_refused(fuzzer, frame)


def _answers_and_writes_nothing_when_refused(fuzzer: ChannelFuzzer, frame: str | bytes) -> None:
    shown = repr(frame)[:120]
    before = fuzzer.state()
    answers, closed_with = fuzzer.send(frame)
    refused = closed_with is not None or any(a.get("type") == "error" for a in answers)

    if closed_with is not None:
        assert closed_with in CLOSE_CODES_FOR_BAD_FRAMES, f"{shown} closed the tab with {closed_with}"
    if isinstance(frame, str) and "\\u0000" in frame:
        assert refused, f"{shown} holds a NUL character and was taken"
    if refused:
        assert fuzzer.state() == before, f"{shown} was refused but changed the project"


def test_the_project_channel_answers_every_frame_and_refused_ones_write_nothing(server):
    fuzzer = ChannelFuzzer(server)
    try:
        _fuzz_project_channel(fuzzer)
    finally:
        fuzzer.tab.close()
        fuzzer.http.close()


def test_the_own_channel_answers_every_frame_and_writes_nothing(server):
    fuzzer = ChannelFuzzer(server, own=True)
    try:
        _fuzz_own_channel(fuzzer)
    finally:
        fuzzer.tab.close()
        fuzzer.http.close()


DOC_FRAMES = st.one_of(
    st.binary(max_size=200),
    st.tuples(st.sampled_from([0, 1, 2, 3]), st.sampled_from([0, 1, 2]), st.binary(max_size=60)).map(
        lambda parts: bytes([parts[0], parts[1], len(parts[2])]) + parts[2]
    ),
    st.text(max_size=100),
    st.sampled_from([b"", b"\x00\x02\x05\x00\x00", b"\x01\x05\x01\x01\x01\x01x", b"\x03", b"\x00" * 20]),
)


class DocFuzzer:
    """A project's shared code and a socket on it; after each frame, a sync step 1 tells when its
    answer is complete (the server answers it with step 2 in order)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, headers=HEADERS)
        self.project_id = self.http.post("/api/projects", json={"name": "Fuzzed doc"}).json()["id"]
        self.socket: ClientConnection = self._open()

    def _open(self) -> ClientConnection:
        token = HEADERS["Authorization"].removeprefix("Bearer ")
        ws_url = self.url.replace("http://", "ws://") + f"/ws/projects/{self.project_id}/doc?token={token}"
        return connect_ws(ws_url, max_size=None, legacy=True)

    def send(self, frame: str | bytes) -> int | None:
        """The close code when the server closed the socket over `frame`, else None."""
        try:
            self.socket.send(frame)
            self.socket.send(b"\x00\x00\x01\x00")  # sync step 1 with an empty state vector
            while True:
                answer = self.socket.recv(timeout=10)
                if isinstance(answer, bytes) and answer[:2] == b"\x00\x01":
                    return None
        except ConnectionClosed as closed:
            self.socket = self._open()
            return closed.rcvd.code if closed.rcvd else ABNORMAL_CLOSURE


@given(frame=DOC_FRAMES)
@settings(max_examples=EXAMPLES_PER_ROUTE * 4, deadline=None, database=None, suppress_health_check=ALL_CHECKS)
def _fuzz_doc_channel(fuzzer: DocFuzzer, frame: str | bytes) -> None:
    closed_with = fuzzer.send(frame)

    assert closed_with in (None, *CLOSE_CODES_FOR_BAD_FRAMES), f"{frame!r:.120} closed with {closed_with}"


def test_the_shared_code_channel_answers_or_refuses_every_frame_without_failing(server):
    fuzzer = DocFuzzer(server)
    try:
        _fuzz_doc_channel(fuzzer)
    finally:
        fuzzer.socket.close()
        fuzzer.http.close()
