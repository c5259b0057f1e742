"""Values the use cases take from a person, the same whether they came by REST or by a frame."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec

from domain.entities import JsonObject
from domain.enums import AttachmentType, Framework

NonNegative = Annotated[int, msgspec.Meta(ge=0)]
Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]


class Input(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    pass


class NewAttachment(Input, frozen=True, kw_only=True):
    url: Url
    size: NonNegative
    """Size in bytes."""
    width: NonNegative | None = None
    height: NonNegative | None = None
    type: AttachmentType = AttachmentType.IMAGE
    import_id: UUID | None = None
    source_metadata: JsonObject | None = None


class ProjectChanges(Input, frozen=True, kw_only=True):
    """A partial update: fields left out stay as they are (seed: projects.update)."""

    name: str | msgspec.UnsetType = msgspec.UNSET
    framework: Framework | msgspec.UnsetType = msgspec.UNSET
    model_preference: str | msgspec.UnsetType | None = msgspec.UNSET
