"""Request and response bodies of the REST routes (camelCase on the wire, as API.md says)."""

from __future__ import annotations

import base64
from typing import Annotated
from uuid import UUID

import msgspec

from domain.entities import Fragment, Project
from domain.enums import Framework
from domain.errors import FieldError, InvalidInput
from domain.inputs import NewAttachment
from domain.rules.prompts import PROJECT_MESSAGE_MAX, PROJECT_MESSAGE_MIN, PROJECT_NAME_MAX
from domain.views import MessageView, ProjectView, Timestamp, iso_ms


def documented(minimum: int, maximum: int, example: str | None = None) -> msgspec.Meta:
    """Length limits shown in the schema; the domain enforces them, for REST and frames alike."""
    schema: dict[str, object] = {"minLength": minimum, "maxLength": maximum}
    if example is not None:
        schema["examples"] = [example]
    return msgspec.Meta(extra_json_schema=schema)


class Body(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    pass


class CreateProject(Body, frozen=True, kw_only=True):
    """With `message`: a project built from that prompt (1 credit). Without: a plain project."""

    message: (
        Annotated[
            str,
            documented(
                PROJECT_MESSAGE_MIN,
                PROJECT_MESSAGE_MAX,
                "Build a to-do list app with a clean, minimal design",
            ),
        ]
        | None
    ) = None
    image_url: Annotated[str, msgspec.Meta(max_length=2048)] | None = None
    """A design screenshot for the agent; Pro only."""
    attachments: list[NewAttachment] = []
    framework: Framework | None = None
    model: Annotated[str, msgspec.Meta(max_length=255)] | None = None
    name: Annotated[str, documented(1, PROJECT_NAME_MAX)] | None = None
    """Required without `message`."""


class LatestFragment(Body, frozen=True, kw_only=True):
    id: UUID
    message_id: UUID
    title: str
    sandbox_url: str
    framework: Framework
    file_count: int
    created_at: Timestamp

    @classmethod
    def from_entity(cls, fragment: Fragment) -> LatestFragment:
        return cls(
            id=fragment.id,
            message_id=fragment.message_id,
            title=fragment.title,
            sandbox_url=fragment.sandbox_url,
            framework=fragment.framework,
            file_count=len(fragment.files),
            created_at=iso_ms(fragment.created_at),
        )


class ProjectDetail(ProjectView, frozen=True, kw_only=True):
    latest_fragment: LatestFragment | None

    @classmethod
    def build(cls, project: Project, fragment: Fragment | None) -> ProjectDetail:
        view = ProjectView.from_entity(project)
        return cls(
            **msgspec.structs.asdict(view),
            latest_fragment=None if fragment is None else LatestFragment.from_entity(fragment),
        )


class MessagePageOut(Body, frozen=True, kw_only=True):
    items: list[MessageView]
    next_cursor: str | None
    """Pass as `?cursor=` for the next page; null on the last page."""


class Success(Body, frozen=True, kw_only=True):
    success: bool = True


def encode_cursor(after: UUID) -> str:
    return base64.urlsafe_b64encode(after.bytes).decode().rstrip("=")


def decode_cursor(cursor: str) -> UUID:
    try:
        return UUID(bytes=base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        raise InvalidInput([FieldError("cursor", "is not a cursor this server returned")]) from None
