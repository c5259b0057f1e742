"""Names the product gives on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def default_project_name(now: datetime) -> str:
    """`Project-<epoch ms>`, as the REST reference (002) names a project created from a prompt."""
    return f"Project-{(now - _EPOCH) // timedelta(milliseconds=1)}"
