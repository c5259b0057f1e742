"""Reading a server's `/metrics` in tests. The series are the test process's (one registry per
process), shared by every app a test session starts: tests compare a value before and after."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient, path: str = "/metrics") -> Samples:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample's value; 0 for a labelled series not created yet."""
    return samples.get((name, frozenset(labels.items())), 0.0)


async def scrape_until(
    client: httpx.AsyncClient, done: Callable[[Samples], bool], timeout: float = 10.0, path: str = "/metrics"
) -> Samples:
    """Scrapes until `done` holds: what the server counts after it answered a test is counted soon."""
    async with asyncio.timeout(timeout):
        while not done(samples := await scrape(client, path)):  # noqa: ASYNC110 - the server counts in its own time
            await asyncio.sleep(0.05)
    return samples
