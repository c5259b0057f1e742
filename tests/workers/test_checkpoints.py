"""Where an attempt taking a run over goes on from: its checkpoint, and the text its tabs have."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from domain.entities import RunCheckpoint
from domain.ids import RunId
from workers.agent.loop import AgentState
from workers.agent.model import ChatMessage
from workers.checkpoints import RunState, encode_state, resumption
from workers.run_code import CodeState

ROUND_TWO = "First the page.\n\nThen the script."
STATE = RunState(
    agent=AgentState.start([ChatMessage(role="user", content=[{"type": "text", "text": "a page"}])]),
    code=CodeState(started_from={}, seen={"index.html": "<h1>"}, written={"index.html": "<h1>"}),
)


def checkpoint(state: dict[str, object]) -> RunCheckpoint:
    return RunCheckpoint(
        run_id=RunId(uuid4()), rounds=2, reply=ROUND_TWO, state=state, updated_at=datetime.now(UTC)
    )


def test_the_run_goes_on_from_its_checkpoint_with_the_text_of_the_round_it_had_begun() -> None:
    resumed = resumption(ROUND_TWO + "\n\nNow the", checkpoint(encode_state(STATE)))

    assert (resumed.state, resumed.reply, resumed.interrupted) == (
        STATE,
        ROUND_TWO + "\n\nNow the",
        "Now the",
    )


def test_a_reply_stored_before_the_checkpoint_was_goes_on_from_the_checkpoints_text() -> None:
    resumed = resumption("First the page.", checkpoint(encode_state(STATE)))

    assert (resumed.reply, resumed.interrupted) == (ROUND_TWO, "")


def test_without_a_checkpoint_the_run_starts_again_after_the_text_it_has() -> None:
    resumed = resumption("I'll write", None)

    assert (resumed.state, resumed.interrupted) == (None, "I'll write")


def test_a_checkpoint_this_worker_cannot_read_is_as_none() -> None:
    resumed = resumption(ROUND_TWO, checkpoint({"agent": "from another version"}))

    assert (resumed.state, resumed.reply, resumed.interrupted) == (None, ROUND_TWO, ROUND_TWO)
