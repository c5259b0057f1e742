"""What a run's checkpoint holds for the worker, and where an attempt taking the run over goes on:
from the conversation and the code as they stood after the last completed round, with the text
the tabs already have of the round that was not completed."""

from __future__ import annotations

import msgspec

from domain.entities import JsonObject, RunCheckpoint
from workers.agent.loop import AgentState
from workers.run_code import CodeState


class RunState(msgspec.Struct, frozen=True, kw_only=True):
    agent: AgentState
    code: CodeState


class Resumption(msgspec.Struct, frozen=True, kw_only=True):
    state: RunState | None
    """None: no round was completed; the run starts from the beginning."""
    reply: str
    """The reply's text the tabs have, which the attempt's stream goes on after."""
    interrupted: str
    """Of that text, what belongs to the round that was not completed (its separator aside)."""


def encode_state(state: RunState) -> JsonObject:
    encoded: JsonObject = msgspec.to_builtins(state)
    return encoded


def resumption(reply: str, checkpoint: RunCheckpoint | None) -> Resumption:
    """Where to go on from, given the reply as stored and the run's checkpoint. The stored reply
    is saved now and then in the background, so it may be a little behind the checkpoint's: the
    longer of the two is what the tabs have. A checkpoint this worker cannot read (another
    version's, during a deploy) is as none: the run starts again, after the text it has."""
    done = checkpoint.reply if checkpoint is not None else ""
    if not reply.startswith(done):
        reply = done
    try:
        state = None if checkpoint is None else msgspec.convert(checkpoint.state, RunState)
    except msgspec.ValidationError:
        state, done = None, ""
    return Resumption(state=state, reply=reply, interrupted=reply[len(done) :].lstrip("\n"))
