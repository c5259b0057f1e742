"""Mapping between table rows and entities: JSON columns travel as text, enums as their values."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar

import msgspec
from piccolo.columns import Column

E = TypeVar("E", bound=msgspec.Struct)

_json_encoder = msgspec.json.Encoder()
_json_decoder = msgspec.json.Decoder()


def to_row(entity: msgspec.Struct, json_fields: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Column values for an insert or update."""
    row: dict[str, Any] = {}
    for name, value in msgspec.structs.asdict(entity).items():
        if name in json_fields and value is not None:
            row[name] = _json_encoder.encode(value).decode()
        elif isinstance(value, Enum):
            row[name] = value.value
        else:
            row[name] = value
    return row


def update_values(
    entity: msgspec.Struct, keep: frozenset[str], json_fields: frozenset[str] = frozenset()
) -> dict[Column | str, Any]:
    """Column values for an UPDATE, leaving out the `keep` columns (keys, owners, creation time)."""
    return {name: value for name, value in to_row(entity, json_fields).items() if name not in keep}


def from_row(row: Mapping[str, Any], entity: type[E], json_fields: frozenset[str] = frozenset()) -> E:
    """The entity a selected row describes; JSON columns arrive as text from both engines."""
    values = dict(row)
    for name in json_fields:
        text = values.get(name)
        if isinstance(text, str):
            values[name] = _json_decoder.decode(text)
    return msgspec.convert(values, entity, strict=False)
