"""Frames a tab sends (API.md): ping, prompt and draft.put, as one tagged union."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from domain.entities import Files
from domain.inputs import Attachments
from server.json_input import MalformedJson, NulInText, load_json

MAX_FRAME_BYTES = 64 * 1024
Ref = Annotated[str, msgspec.Meta(max_length=200)]


class ClientFrame(msgspec.Struct, frozen=True, kw_only=True, rename="camel", tag_field="type"):
    pass


class Ping(ClientFrame, tag="ping", frozen=True, kw_only=True):
    ref: Ref | None = None


class Prompt(ClientFrame, tag="prompt", frozen=True, kw_only=True):
    """Does what `POST /api/projects/{id}/messages` with `value` does."""

    value: str
    attachments: Attachments = []
    ref: Ref | None = None


class DraftPut(ClientFrame, tag="draft.put", frozen=True, kw_only=True):
    """Does what `PUT /api/projects/{id}/draft` does."""

    files: Files
    version: Annotated[int, msgspec.Meta(ge=0, le=2_147_483_647)]
    ref: Ref | None = None


class Auth(ClientFrame, tag="auth", frozen=True, kw_only=True):
    """A fresher token of the same user: the tab stays open past the old token's expiry."""

    token: Annotated[str, msgspec.Meta(min_length=1, max_length=8192)]
    ref: Ref | None = None


AnyClientFrame = Ping | Prompt | DraftPut | Auth


class NotProtocol(Exception):
    """Not a JSON object, or too large: the connection is closed with 1008."""


class BadFrame(Exception):
    """A JSON object that is not a frame we know: answered with an `error` frame."""

    def __init__(self, message: str, ref: str | None) -> None:
        super().__init__(message)
        self.ref = ref


def frame_of(text: object) -> AnyClientFrame:
    """The frame a WebSocket message's text holds; NotProtocol for a binary message."""
    if not isinstance(text, str):
        raise NotProtocol("frames are JSON text")
    return parse_frame(text)


def parse_frame(text: str) -> AnyClientFrame:
    if len(text.encode()) > MAX_FRAME_BYTES:
        raise NotProtocol("frames are at most 64 KiB")
    refused: NulInText | None = None
    try:
        raw: Any = load_json(text)
    except NulInText as error:  # a frame all the same: it is answered, not dropped
        raw, refused = error.value, error
    except MalformedJson as error:
        raise NotProtocol(f"a frame is a JSON object; this one {error}") from None
    if not isinstance(raw, dict):
        raise NotProtocol("a frame is a JSON object")
    ref = raw.get("ref") if isinstance(raw.get("ref"), str) else None
    if refused is not None:
        raise BadFrame(str(refused), ref)
    try:
        frame: AnyClientFrame = msgspec.convert(raw, AnyClientFrame)
    except msgspec.ValidationError as error:
        raise BadFrame(str(error), ref) from None
    return frame
