"""compose.yaml and the Dockerfile describe the scaled deployment (the machine has no Docker daemon,
so their structure is what can be checked): a load balancer over two web processes, two workers,
PostgreSQL and Redis."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WEB = ("web-1", "web-2")
WORKERS = ("worker-1", "worker-2")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    found: dict[str, Any] = compose["services"]
    return found


@pytest.fixture(scope="module")
def nginx() -> str:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    content: str = compose["configs"]["nginx"]["content"]
    return content.replace("$$", "$")  # compose's escape for a literal dollar


def _stages() -> dict[str, str]:
    """Each build stage of the Dockerfile and its CMD."""
    stages: dict[str, str] = {}
    current = ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if match := re.match(r"FROM \S+ AS (\S+)", line):
            current = match.group(1)
        elif line.startswith("CMD "):
            stages[current] = line
    return stages


def test_the_deployment_has_a_balancer_two_web_processes_two_workers_and_the_two_services(services):
    assert set(services) >= {"lb", *WEB, *WORKERS, "postgres", "redis"}


@pytest.mark.parametrize("name", WEB + WORKERS)
def test_every_forge_process_shares_the_database_and_redis(services, name):
    environment = services[name]["environment"]

    assert environment["FORGE_DATABASE_URL"].startswith("postgresql://")
    assert "@postgres:" in environment["FORGE_DATABASE_URL"]
    assert environment["FORGE_REDIS_URL"].startswith("redis://redis:")
    assert environment["FORGE_OAUTH_ENCRYPTION_KEY"]  # one key for every process


@pytest.mark.parametrize("name", WEB + WORKERS)
def test_every_forge_process_starts_after_the_migrations(services, name):
    assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["migrate"]


@pytest.mark.parametrize("name", WEB)
def test_web_processes_run_the_web_image_without_a_worker_inside(services, name):
    assert services[name]["build"]["target"] == "web"
    assert services[name]["environment"]["FORGE_WORKER_IN_PROCESS"] == "false"


@pytest.mark.parametrize("name", WORKERS)
def test_workers_run_the_worker_image(services, name):
    assert services[name]["build"]["target"] == "worker"
    assert "command" not in services[name]


def test_the_dockerfile_has_a_worker_entry_and_serves_by_default():
    stages = _stages()

    assert stages["worker"] == 'CMD ["worker"]'
    assert list(stages)[-1] == "web"  # the last stage is what `docker build .` gives
    assert stages["web"] == 'CMD ["serve"]'


def test_the_balancer_spreads_over_every_web_process_without_stickiness(nginx):
    upstream = re.search(r"upstream (\w+) \{(.*?)\}", nginx, re.S)
    assert upstream is not None
    servers = re.findall(r"server (\S+);", upstream.group(2))

    assert sorted(servers) == [f"{name}:8000" for name in WEB]
    assert not re.search(r"\b(ip_hash|hash|sticky)\b", upstream.group(2))
    assert f"proxy_pass http://{upstream.group(1)};" in nginx


def test_the_balancer_passes_websocket_upgrades(nginx):
    assert "proxy_http_version 1.1;" in nginx
    assert "proxy_set_header Upgrade $http_upgrade;" in nginx
    assert "proxy_set_header Connection $connection_upgrade;" in nginx
