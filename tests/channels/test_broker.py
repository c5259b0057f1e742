"""The broker contract (channels/broker.py) on both backends: the memory broker (embedded) and Redis
(scaled: one server, and a cluster). Committed events go in strictly in commit order, exactly once;
live frames only under the current fence; history within its byte budget."""

from __future__ import annotations

import asyncio
import json
from uuid import uuid4

import pytest

from channels.broker import Behind, Broker, Head, Retention, seq_of
from channels.memory import MemoryBroker
from domain.events import LoggedEvent
from domain.ids import ProjectId

pytestmark = pytest.mark.cluster

BIG = 1000
"""Floors high enough that only the byte budget trims."""


def committed(first: int, *names: str, fence: str | None = None) -> list[LoggedEvent]:
    """Events numbered from `first`; the last one sets `fence` if given."""
    return [
        LoggedEvent(
            seq=first + n,
            payload=json.dumps({"type": "project.updated", "name": name}).encode(),
            fence=fence if n == len(names) - 1 else None,
        )
        for n, name in enumerate(names)
    ]


def live(text: str) -> bytes:
    return json.dumps({"type": "message.delta", "text": text}).encode()


@pytest.fixture
def project() -> ProjectId:
    return ProjectId(uuid4())


async def delivered(broker: Broker, project: ProjectId) -> list[dict]:
    """Every frame the project's history holds, decoded."""
    return [json.loads(frame) for frame in (await broker.read(project, 0)).frames]


async def test_committed_events_get_consecutive_seqs_in_commit_order(broker, project):
    await broker.append(project, committed(1, "a", "b"))

    head = await broker.append(project, committed(3, "c"))

    assert isinstance(head, Head) and (head.seq, head.commit) == (3, 3)
    assert [(f["seq"], f["name"]) for f in await delivered(broker, project)] == [(1, "a"), (2, "b"), (3, "c")]


async def test_an_event_the_stream_already_has_is_dropped(broker, project):
    await broker.append(project, committed(1, "a", "b"))

    head = await broker.append(project, committed(2, "b", "c"))

    assert isinstance(head, Head) and (head.seq, head.commit) == (3, 3)
    assert [f["name"] for f in await delivered(broker, project)] == ["a", "b", "c"]


async def test_events_that_skip_one_are_refused_and_nothing_is_appended(broker, project):
    await broker.append(project, committed(1, "a"))

    result = await broker.append(project, committed(3, "c"))

    assert result == Behind(1)
    assert [f["name"] for f in await delivered(broker, project)] == ["a"]


async def test_a_new_stream_starts_at_its_first_events(broker, project):
    head = await broker.append(project, committed(41, "a"))

    assert isinstance(head, Head) and (head.seq, head.commit) == (1, 41)


async def test_live_frames_are_taken_under_the_fence_a_committed_event_set(broker, project):
    await broker.append(project, committed(1, "claim", fence="run-1:1"))

    head = await broker.append_live(project, [live("hi")], "run-1:1")

    assert head is not None and (head.seq, head.commit) == (2, 1)
    assert (await delivered(broker, project))[-1] == {"seq": 2, "type": "message.delta", "text": "hi"}


async def test_live_frames_of_an_earlier_attempt_are_refused(broker, project):
    await broker.append(project, committed(1, "claim", fence="run-1:1"))
    await broker.append(project, committed(2, "claimed again", fence="run-1:2"))

    refused = await broker.append_live(project, [live("stale")], "run-1:1")

    assert refused is None
    assert [f.get("text") for f in await delivered(broker, project)] == [None, None]


async def test_live_frames_before_any_claim_are_refused(broker, project):
    assert await broker.append_live(project, [live("hi")], "run-1:1") is None


async def test_an_ended_run_takes_no_more_live_frames(broker, project):
    await broker.append(project, committed(1, "claim", fence="run-1:1"))
    await broker.append(project, committed(2, "finished", fence=""))

    assert await broker.append_live(project, [live("late")], "run-1:1") is None


async def test_history_keeps_no_more_than_its_byte_budget(make_broker, project):
    broker = make_broker(Retention(min_events=BIG, max_bytes=3000))
    big = "x" * 1000

    await broker.append(project, committed(1, *[big] * 5))

    history = await broker.read(project, 0)
    assert sum(len(frame) for frame in history.frames) <= 3000
    assert history.frames and not history.complete  # the oldest went, so a resume from 0 cannot be served


async def test_open_makes_a_stream_after_the_commit_given_or_answers_the_one_there_is(broker, project):
    opened = await broker.open(project, 7)
    again = await broker.open(project, 99)

    assert (opened.seq, opened.commit) == (0, 7)
    assert again == opened


async def test_a_restart_begins_a_new_epoch(broker, project):
    first = await broker.append(project, committed(1, "a"))

    restarted = await broker.append(project, committed(5, "e"), restart=True)

    assert isinstance(first, Head) and isinstance(restarted, Head)
    assert restarted.epoch != first.epoch
    assert (restarted.seq, restarted.commit) == (1, 5)


async def test_commits_answers_only_for_streams_that_exist(broker, project):
    await broker.append(project, committed(1, "a", "b"))
    other = ProjectId(uuid4())

    assert await broker.commits([project, other]) == {project: 2}


async def test_a_project_without_a_stream_reads_as_epoch_nothing(broker, project):
    history = await broker.read(project, 0)

    assert (history.epoch, history.complete) == ("", False)


async def test_listeners_get_each_frame_once_with_its_epoch(broker, project):
    heard: list[tuple[str, dict]] = []
    await broker.listen(project, lambda epoch, frame, _: heard.append((epoch, json.loads(frame))))

    head = await broker.append(project, committed(1, "a"))
    await broker.append(project, committed(1, "a"))  # published again: dropped
    await broker.append(project, committed(2, "b"))
    async with asyncio.timeout(5):
        while len(heard) < 2:  # noqa: ASYNC110 - Redis delivers on a connection of its own
            await asyncio.sleep(0.01)

    assert isinstance(head, Head)
    assert [(epoch, f["seq"], f["name"]) for epoch, f in heard] == [
        (head.epoch, 1, "a"),
        (head.epoch, 2, "b"),
    ]
    await broker.close()


async def test_listeners_get_the_commit_time_of_committed_events_and_none_with_live_frames(broker, project):
    heard: list[tuple[int, float | None]] = []
    await broker.listen(project, lambda _, frame, committed_at: heard.append((seq_of(frame), committed_at)))

    await broker.append(project, committed(1, "claim", fence="run-1:1"), committed_at=1767225600.25)
    await broker.append_live(project, [live("hi")], "run-1:1")
    await broker.append(project, committed(2, "relayed"))  # the relay knows no commit time
    async with asyncio.timeout(5):
        while len(heard) < 3:  # noqa: ASYNC110 - Redis delivers on a connection of its own
            await asyncio.sleep(0.01)

    assert heard == [(1, 1767225600.25), (2, None), (3, None)]
    await broker.close()


async def test_the_memory_broker_forgets_a_stream_idle_past_the_age_floor_with_nobody_listening(project):
    clock = [0]
    broker = MemoryBroker(Retention(min_age_ms=1000), now_ms=lambda: clock[0])
    await broker.append(project, committed(1, "a"))
    clock[0] = 120_000

    await broker.append(ProjectId(uuid4()), committed(1, "another project's event sweeps"))

    assert (await broker.read(project)).epoch == ""
