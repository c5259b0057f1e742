"""The broker channel of each project's shared document: like a project's own channel, under a
name no project can have (UUIDv5 names never meet the UUIDv7 ids of projects), so updates travel
the same way on memory, one Redis server and a Redis Cluster.

A message is one kind byte, the 16-byte id of the process that sent it (whose own listener skips
it: it applied the change already), then the payload."""

from __future__ import annotations

import uuid
from typing import NamedTuple

from domain.ids import ProjectId

DOC_CHANNELS = uuid.UUID("0f5d8c1a-7e2b-4c39-9a41-6b0d2e8f3c57")
KIND_UPDATE = 0
KIND_AWARENESS = 1
NO_ORIGIN = bytes(16)
"""Sent by a process without live documents of its own (a worker, a draft PUT): none skip it."""


def doc_channel(project_id: ProjectId) -> ProjectId:
    return ProjectId(uuid.uuid5(DOC_CHANNELS, str(project_id)))


class DocMessage(NamedTuple):
    kind: int
    origin: bytes
    payload: bytes


def doc_message(kind: int, origin: bytes, payload: bytes) -> bytes:
    return bytes([kind]) + origin + payload


def read_doc_message(frame: bytes) -> DocMessage | None:
    if len(frame) < 17:
        return None
    return DocMessage(frame[0], frame[1:17], frame[17:])
