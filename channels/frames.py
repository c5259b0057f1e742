"""Frames the channel itself sends (hello, resumed, presence, error, pong), beside the domain's
events; each is encoded once and the same text goes to every tab that gets it."""

from __future__ import annotations

import msgspec

from domain.enums import ProjectRole
from domain.views import (
    DraftView,
    FragmentView,
    MemberView,
    ProjectView,
    RunView,
    SummarizedMessage,
    Timestamp,
)


class Frame(msgspec.Struct, frozen=True, kw_only=True, rename="camel", tag_field="type"):
    pass


class PresenceClient(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    client_id: str
    user_id: str
    name: str | None = None
    image_url: str | None = None
    """`name` and `imageUrl` are shown when the identity provider's token carries them."""
    role: ProjectRole
    """The role the tab's user had when it joined; `member.updated` tells of later changes."""
    joined_at: Timestamp


class PresenceList(msgspec.Struct, frozen=True, kw_only=True):
    count: int
    clients: list[PresenceClient]
    """At most 100 of them."""


class HelloState(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """The part of a `hello` every tab joining at one point of the stream shares; `hello_frame`
    adds the type, the tab's own `clientId`, its user's `role` and `presence`."""

    epoch: str
    seq: int
    project: ProjectView
    members: list[MemberView]
    """The owner first."""
    messages: list[SummarizedMessage]
    fragment: FragmentView | None
    draft: DraftView | None
    runs: list[RunView]


class Resumed(Frame, tag="resumed", frozen=True, kw_only=True):
    epoch: str
    from_: int = msgspec.field(name="from")
    to: int


class PresenceJoined(Frame, tag="presence.joined", frozen=True, kw_only=True):
    client: PresenceClient
    count: int


class PresenceLeft(Frame, tag="presence.left", frozen=True, kw_only=True):
    client_id: str
    count: int


class ErrorFrame(Frame, tag="error", frozen=True, kw_only=True, omit_defaults=True):
    code: str
    message: str
    ref: str | None = None


class Pong(Frame, tag="pong", frozen=True, kw_only=True, omit_defaults=True):
    ref: str | None = None


_encoder = msgspec.json.Encoder()


def encode(frame: Frame) -> str:
    return _encoder.encode(frame).decode()


def encode_state(state: HelloState) -> bytes:
    return _encoder.encode(state)


def hello_frame(state: bytes, client_id: str, role: ProjectRole, presence: PresenceList) -> str:
    """A tab's `hello`: the shared state (encoded once, see HelloState) with this tab's fields."""
    head = b'{"type":"hello","clientId":' + _encoder.encode(client_id)
    head += b',"role":' + _encoder.encode(role) + b',"presence":'
    return (head + _encoder.encode(presence) + b"," + state[1:]).decode()
