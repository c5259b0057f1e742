"""Query parameters shared by the list routes."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

DEFAULT_LIMIT = 50

Limit = Annotated[int, Parameter(ge=1, le=200, description="Page size (default 50, at most 200).")]
Cursor = Annotated[str | None, Parameter(description="`nextCursor` of the previous page.")]
