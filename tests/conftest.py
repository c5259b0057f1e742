"""Fixtures shared by every test: the deployments, apps, clients, tokens and a movable clock."""

from __future__ import annotations

import asyncio
import secrets
import ssl
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import msgspec
import pytest
from litestar import Litestar

from channels.broker import Broker, Retention
from channels.memory import MemoryBroker
from channels.redis import RedisBroker
from channels.redis_connection import RedisClient, connect_redis
from db.storage import PiccoloStorage
from forge.connections import open_database
from forge.settings import Settings
from server.app import build_app, configure
from server.auth import issue_dev_token
from tests import services
from tests.api import Api
from tests.live import live_server
from tests.redis_cluster import ClusterUnavailable, LocalCluster
from tests.token_witness import TokenWitness

JWT_SECRET = "test-secret-" + "x" * 40
DEPLOYMENTS = ("embedded", "scaled")
CLUSTER = "cluster"
"""PostgreSQL and a Redis Cluster: the modules marked `cluster` run on it too."""
PRO_PRODUCT = "prod_pro"
UNLIMITED_PRODUCT = "prod_unlimited"
OAUTH_KEY = "q" * 43  # 32 bytes of URL-safe base64
WEBHOOK_SECRET = "polar_whs_test_secret"
ADMIN = "admin_1"
MAX_LEAKS_SHOWN = 20


class FakeClock:
    """Time that moves only when a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | services.Unavailable]:
    result = asyncio.run(services.create_database())
    yield result
    if isinstance(result, str):
        asyncio.run(services.drop_database(result))


@pytest.fixture(scope="session")
def redis_problem() -> services.Unavailable | None:
    return asyncio.run(services.check_redis())


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | services.Unavailable]:
    """The URL of a node of the session's Redis Cluster, started for the first test that needs it."""
    cluster = LocalCluster(tmp_path_factory.mktemp("redis-cluster"))
    try:
        cluster.start()
    except ClusterUnavailable as error:
        yield services.Unavailable(f"no local Redis Cluster: {error}")
        return
    yield cluster.url
    cluster.stop()


@pytest.fixture(params=DEPLOYMENTS)
def deployment(request: pytest.FixtureRequest) -> str:
    """Every test that uses it runs twice: embedded (SQLite, in-process) and scaled (PG + Redis);
    in modules marked `cluster`, a third time on PG + a Redis Cluster (pytest_generate_tests)."""
    return str(request.param)


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Adds the cluster deployment to the tests of modules marked `cluster`, unless a test says
    itself where it runs: as a parametrize mark, which pytest then prefers to the fixture's params."""
    definition = metafunc.definition
    if (
        "deployment" in metafunc.fixturenames
        and definition.get_closest_marker("cluster")
        and not _parametrizes_deployment(definition)
    ):
        definition.add_marker(pytest.mark.parametrize("deployment", (*DEPLOYMENTS, CLUSTER), indirect=True))


def _parametrizes_deployment(definition: pytest.Function) -> bool:
    for marker in definition.iter_markers("parametrize"):
        names = marker.args[0]
        if "deployment" in ([n.strip() for n in names.split(",")] if isinstance(names, str) else names):
            return True
    return False


@pytest.fixture
async def settings(
    request: pytest.FixtureRequest,
    deployment: str,
    tmp_path: Path,
    postgres_url: str | services.Unavailable,
    redis_problem: services.Unavailable | None,
) -> AsyncIterator[Settings]:
    base = Settings(
        data_dir=tmp_path / "data",
        jwt_secret=JWT_SECRET,
        polar_pro_product_ids=frozenset({PRO_PRODUCT}),
        polar_unlimited_product_ids=frozenset({UNLIMITED_PRODUCT}),
        polar_webhook_secret=WEBHOOK_SECRET,
        admin_user_ids=frozenset({ADMIN}),
        worker_in_process=False,  # tests of the agent worker turn it on (tests/workers/conftest.py)
    )
    if deployment == "embedded":
        yield base
        return
    if isinstance(postgres_url, services.Unavailable):
        services.unavailable(postgres_url.reason)
    cluster_url = request.getfixturevalue("redis_cluster") if deployment == CLUSTER else None
    redis = services.redis_target(redis_problem, cluster_url)
    assert isinstance(postgres_url, str)
    await services.truncate_all(postgres_url)
    prefix = f"forge-test:{secrets.token_hex(6)}:"
    yield msgspec.structs.replace(
        base,
        database_url=postgres_url,
        redis_url=redis.url,
        redis_cluster=redis.cluster,
        redis_prefix=prefix,
        oauth_encryption_key=OAUTH_KEY,
    )
    await services.delete_prefix(redis, prefix)


@pytest.fixture
async def storage(settings: Settings) -> AsyncIterator[PiccoloStorage]:
    """The deployment's database without an app: for store and service tests."""
    database = await open_database(settings)
    try:
        yield PiccoloStorage(database)
    finally:
        await database.stop()


@pytest.fixture
async def make_redis(settings: Settings) -> AsyncIterator[Callable[[], RedisClient]]:
    """`make_redis()`: a client of the deployment's Redis (or cluster) with connections of its own,
    as another process would have; closed after the test."""
    clients: list[RedisClient] = []

    def make() -> RedisClient:
        assert settings.redis_url is not None, "only the scaled deployments have Redis"
        client = connect_redis(settings.redis_url, cluster=settings.redis_cluster, max_connections=16)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def make_broker(
    settings: Settings, make_redis: Callable[[], RedisClient]
) -> AsyncIterator[Callable[..., Broker]]:
    """`make_broker(retention)`: the deployment's broker, memory or Redis under the test's prefix;
    each Redis one on a client of its own. Closed after the test."""
    brokers: list[Broker] = []

    def make(retention: Retention | None = None) -> Broker:
        if settings.redis_url is None:
            return MemoryBroker(retention)
        broker = RedisBroker(make_redis(), settings.redis_prefix, retention)
        brokers.append(broker)
        return broker

    yield make
    for broker in brokers:
        await broker.close()


@pytest.fixture
def broker(make_broker: Callable[..., Broker]) -> Broker:
    return make_broker()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


_APPS: dict[int, Litestar] = {}


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Litestar:
    """One app per body limit for the whole session (building one is slow), configured anew and
    started anew, with a fresh runtime, for every test."""
    app = _APPS.get(settings.max_body_bytes)
    if app is None:
        app = _APPS[settings.max_body_bytes] = build_app(settings.max_body_bytes)
    configure(app, settings, clock)
    return app


@pytest.fixture
async def base_url(app: Litestar) -> AsyncIterator[str]:
    """The app served for real by uvicorn, in this test's loop."""
    async with live_server(app) as url:
        yield url


# httpx loads the certificate bundle for every client it makes (a third of a second); the tests
# only speak plain HTTP to localhost, so every client shares one context.
SSL_CONTEXT = ssl.create_default_context()


def http_client(base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, timeout=10, verify=SSL_CONTEXT)


@pytest.fixture
async def client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(base_url) as http:
        yield http


@pytest.fixture
def httpx_client_for() -> Callable[[str], httpx.AsyncClient]:
    """An HTTP client for another live server a test starts itself."""
    return http_client


@pytest.fixture
def auth() -> Callable[[str], dict[str, str]]:
    """`auth("alice")`: headers with a valid development token for that user."""

    def headers(user_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_dev_token(JWT_SECRET, user_id)}"}

    return headers


@pytest.fixture
def api(client: httpx.AsyncClient, auth: Callable[[str], dict[str, str]]) -> Api:
    return Api(client, auth)


WITNESS = TokenWitness()


def pytest_configure(config: pytest.Config) -> None:
    WITNESS.install()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fails the run if any log line of it held a token (tests/token_witness.py)."""
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is not None:
        WITNESS.read_files(factory.getbasetemp())
    if WITNESS.leaks:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"{len(WITNESS.leaks)} log line(s) held a token:", red=True)
            for leak in WITNESS.leaks[:MAX_LEAKS_SHOWN]:
                reporter.write_line(f"  {leak}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
