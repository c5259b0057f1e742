"""Frames of a person's own channel (`GET /ws/me`, API.md): their project list and credits."""

from __future__ import annotations

from uuid import UUID

import msgspec

from domain.views import UsageView
from server.schemas import ListedProject


class MeFrame(msgspec.Struct, frozen=True, kw_only=True, rename="camel", tag_field="type"):
    pass


class MeHello(MeFrame, tag="hello", frozen=True, kw_only=True):
    """The whole list (as `GET /api/projects` gives it) and the credits; again after a reconnect
    of the broker, when signals may have been missed."""

    projects: list[ListedProject]
    usage: UsageView


class ProjectListed(MeFrame, tag="project.listed", frozen=True, kw_only=True):
    """The project appeared in the list or changed there (created, shared, renamed, activity)."""

    project: ListedProject


class ProjectUnlisted(MeFrame, tag="project.unlisted", frozen=True, kw_only=True):
    """The project left the list: deleted, or the caller's access was removed."""

    project_id: UUID


class UsageUpdated(MeFrame, tag="usage.updated", frozen=True, kw_only=True):
    usage: UsageView


_encoder = msgspec.json.Encoder()


def encode_me(frame: MeFrame) -> str:
    return _encoder.encode(frame).decode()
