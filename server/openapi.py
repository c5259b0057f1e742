"""OpenAPI details Litestar cannot infer: the problem responses each route can give."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example

from domain.errors import AdminOnly, PlanRequired, RoleRequired
from server.errors import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_BASE, Problem

Description = tuple[str, str | None, str]
"""(title, problem type after the base or None for about:blank, an example detail)."""

_DESCRIPTIONS: dict[int, Description] = {
    400: ("Invalid input", "invalid-input", "message: must be at least 3 characters"),
    401: ("Unauthorized", None, "A bearer token is required (Authorization: Bearer <token>)."),
    403: (
        PlanRequired.title,
        "plan-required",
        "A design screenshot (imageUrl) needs a Pro subscription.",
    ),
    404: ("Not found", "not-found", "Project not found."),
    409: ("Conflict", "conflict", "The run was already claimed."),
    413: ("Request Entity Too Large", None, "Request Entity Too Large"),
    422: (
        "Idempotency key reused",
        "idempotency-key-reused",
        "This Idempotency-Key was used with a different request.",
    ),
    429: ("Too many requests", "out-of-credits", "You have used all of your credits for now."),
}
COMMON = (400, 401, 413, 429)
ADMIN_ONLY: Mapping[int, Description] = {
    403: (AdminOnly.title, "admin-only", "Only administrators may reset usage."),
}
"""The 403 of an admin route, instead of the plan's."""
ROLE_REQUIRED: Mapping[int, Description] = {
    403: (RoleRequired.title, "role-required", RoleRequired().message),
}
"""The 403 of a project route whose action not every role may take, instead of the plan's."""


def problems(*statuses: int, overrides: Mapping[int, Description] | None = None) -> dict[int, ResponseSpec]:
    """Problem-details responses for the route's own statuses plus those of every API route;
    `overrides` replaces the description of a status where the route's case differs."""
    descriptions = {**_DESCRIPTIONS, **(overrides or {})}
    specs = {}
    for status in sorted({*COMMON, *statuses}):
        title, slug, detail = descriptions[status]
        example = Problem(
            type=PROBLEM_TYPE_BASE + slug if slug else "about:blank",
            title=title,
            status=status,
            detail=detail,
        )
        specs[status] = ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_MEDIA_TYPE,
            description=title,
            generate_examples=False,
            examples=[Example(summary=title, value=msgspec.to_builtins(example))],
        )
    return specs
