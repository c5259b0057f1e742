"""bench/scale.py's scenario, small: two servers and two workers, a prompt on each project, one
server and one worker killed mid-stream. Whatever the timings, no tab may lose, repeat or reorder a
frame, and every prompt must end exactly once and be paid once. The bookkeeping that says so is
checked first: a checker that cannot count would pass anything."""

from __future__ import annotations

import json

import pytest

from bench.scale import scenario
from bench.scale_tabs import Board, Tab

PROJECTS = 4
TABS = 40


def _tab() -> Tab:
    return Tab("p", "token", ["http://a", "http://b"], 0, Board(enough_streaming=1))


def _feed(tab: Tab, *frames: dict[str, object]) -> None:
    for frame in frames:
        tab.apply(json.dumps(frame))


def test_a_tab_counts_gaps_repeats_and_reversals_within_an_epoch() -> None:
    tab = _tab()
    _feed(tab, {"type": "hello", "epoch": "e", "seq": 3}, *({"seq": n, "type": "x"} for n in (4, 6, 6, 5, 7)))

    assert (tab.lost, tab.duplicated, tab.reordered, tab.fallbacks) == (1, 1, 1, 0)


def test_a_fresh_hello_restarts_the_count_and_is_a_fallback_unless_it_is_the_first() -> None:
    tab = _tab()
    _feed(
        tab,
        {"type": "hello", "epoch": "e", "seq": 0},
        {"seq": 1, "type": "x"},
        {"type": "hello", "epoch": "f", "seq": 9},
        {"seq": 10, "type": "x"},
    )

    assert (tab.lost, tab.duplicated, tab.reordered, tab.fallbacks, tab.seq) == (0, 0, 0, 1, 10)


def test_frames_a_resume_replays_are_checked_but_not_timed() -> None:
    tab = _tab()
    run = {"updatedAt": "2026-12-01T22:17:02.052Z", "status": "RUNNING"}
    _feed(
        tab,
        {"type": "hello", "epoch": "e", "seq": 0},
        {"type": "resumed", "epoch": "e", "from": 1, "to": 2},
        {"seq": 1, "type": "run.updated", "run": run},
        {"seq": 2, "type": "run.updated", "run": run},
        {"seq": 3, "type": "run.updated", "run": run},
    )

    assert (tab.lost, len(tab.stamps), tab.board.runs["p"][:2]) == (0, 1, (3, "RUNNING"))


@pytest.mark.slow
@pytest.mark.parametrize("scaled_env", ["cluster"], indirect=True)  # where bench/scale.py runs
async def test_killing_a_server_and_a_worker_mid_stream_loses_and_repeats_nothing(tmp_path, scaled_env):
    figures = await scenario(scaled_env, tmp_path, projects=PROJECTS, tabs=TABS, word_delay_ms=30)

    assert figures.failures() == []
    assert figures.runs_completed + figures.runs_failed == PROJECTS
    assert figures.reconnects >= TABS // 2  # every tab of the killed server came back
    assert figures.deliveries > 0
