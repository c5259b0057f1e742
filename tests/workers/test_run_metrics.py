"""A run the in-process worker completes moves the run series of the server's `/metrics`: in the
embedded deployment as in the scaled one, a worker inside `forge serve` shares its registry."""

from __future__ import annotations

from tests.metrics import Samples, scrape, scrape_until, value

RUN_SECONDS = 30.0
SERVER = {"source": "SERVER"}


def completed(samples: Samples) -> float:
    return value(samples, "forge_run_transitions_total", status="COMPLETED", **SERVER)


async def test_a_completed_run_counts_one_move_into_each_status_it_went_through(api, client):
    before = await scrape(client)

    await api.project(message="a counter app")
    after = await scrape_until(client, lambda s: completed(s) > completed(before), RUN_SECONDS)

    moves = {
        status: value(after, "forge_run_transitions_total", status=status, **SERVER)
        - value(before, "forge_run_transitions_total", status=status, **SERVER)
        for status in ("PENDING", "RUNNING", "COMPLETED", "FAILED")
    }
    # RUNNING once, although the run's stage changed several times while it ran.
    assert moves == {"PENDING": 1, "RUNNING": 1, "COMPLETED": 1, "FAILED": 0}


async def test_a_completed_run_is_timed_from_its_claim_to_its_end(api, client):
    name = "forge_run_duration_seconds_count"
    before = value(await scrape(client), name, outcome="completed")

    await api.project(message="a counter app")
    after = await scrape_until(client, lambda s: value(s, name, outcome="completed") > before, RUN_SECONDS)

    assert value(after, name, outcome="completed") == before + 1
    assert value(after, "forge_run_duration_seconds_sum", outcome="completed") > 0


async def test_a_run_times_the_first_text_of_its_reply(api, client):
    name = "forge_run_first_token_seconds_count"
    before = await scrape(client)

    await api.project(message="a counter app")
    after = await scrape_until(client, lambda s: completed(s) > completed(before), RUN_SECONDS)

    assert value(after, name) == value(before, name) + 1


async def test_a_completed_run_counts_the_tokens_of_its_model_calls(api, client):
    def tokens(samples: Samples, kind: str) -> float:
        return value(samples, "forge_model_tokens_total", model="offline-builder", kind=kind)

    before = await scrape(client)

    await api.project(message="a counter app")
    after = await scrape_until(client, lambda s: completed(s) > completed(before), RUN_SECONDS)

    assert tokens(after, "input") > tokens(before, "input")
    assert tokens(after, "output") > tokens(before, "output")
