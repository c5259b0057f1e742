"""`GET /metrics`: Prometheus' text format for a scraper without a token, and each series moves
when what it counts happens. Also tests/server/test_metrics_slow_tab.py, test_metrics_broker.py
and tests/workers/test_run_metrics.py."""

from __future__ import annotations

from datetime import timedelta

from tests.metrics import scrape, scrape_until, value
from tests.streams import rename
from tests.ws import open_tab


async def test_metrics_answer_a_scraper_without_a_token_in_prometheus_text(client):
    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert "# TYPE forge_open_tabs gauge" in response.text


async def test_metrics_are_not_in_the_openapi_document(client):
    paths = (await client.get("/schema/openapi.json")).json()["paths"]

    assert "/metrics" not in paths


async def test_a_tab_that_opens_counts_among_the_open_tabs(api, base_url, client):
    project = await api.project()
    before = value(await scrape(client), "forge_open_tabs")

    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")

    assert value(await scrape(client), "forge_open_tabs") == before + 1
    await tab.close()


async def test_an_event_written_to_a_tab_counts_a_frame_and_its_commit_to_tab_lag(api, app, base_url, client):
    project = await api.project()
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("presence.joined")
    before = await scrape(client)

    await rename(app, project["id"], "Renamed")
    await tab.next_of("project.updated")
    after = await scrape_until(
        client,
        lambda s: (
            value(s, "forge_commit_to_tab_seconds_count") > value(before, "forge_commit_to_tab_seconds_count")
        ),
    )

    assert value(after, "forge_frames_sent_total") >= value(before, "forge_frames_sent_total") + 1
    assert value(after, "forge_commit_to_tab_seconds_count") == (
        value(before, "forge_commit_to_tab_seconds_count") + 1
    )
    await tab.close()


async def test_a_prompt_counts_a_credit_spent(api, client):
    project = await api.project()
    before = value(await scrape(client), "forge_credits_spent_total")

    await api.ok("alice", "POST", f"/api/projects/{project['id']}/messages", {"value": "and a dark mode"})

    assert value(await scrape(client), "forge_credits_spent_total") == before + 1


async def test_a_waiting_run_counts_in_the_queue_with_its_age(api, client, clock):
    await api.project()
    clock.advance(timedelta(seconds=90))

    samples = await scrape(client)

    assert value(samples, "forge_run_queue_depth") == 1
    assert value(samples, "forge_run_queue_oldest_age_seconds") == 90
