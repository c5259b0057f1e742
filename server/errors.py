"""The one place that turns errors into RFC 9457 problem details (`application/problem+json`)."""

from __future__ import annotations

import logging
import math
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap

from channels.frames import ErrorFrame
from domain.errors import (
    AdminOnly,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    KeyReused,
    ModelNotAllowed,
    NotFound,
    OutOfCredits,
    PlanRequired,
    RateLimited,
    RoleRequired,
    StaleVersion,
)
from domain.views import iso_ms

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://forgeai.dev/problems/"

logger = logging.getLogger("forge.server")

_FORBIDDEN_TYPES: list[tuple[type[Forbidden], str]] = [
    (PlanRequired, "plan-required"),
    (AdminOnly, "admin-only"),
]
"""The problem type of each kind of 403; its title comes from the domain error itself."""


class FieldProblem(msgspec.Struct, frozen=True):
    field: str
    message: str
    source: str = "body"


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, rename="camel"):
    """A problem details body; `errors` lists field-level complaints of a 400."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None
    resets_at: str | None = None
    """When the next credit comes back (429 out of credits)."""
    current_version: int | None = None
    """The draft's version now (409 stale version)."""
    allowed_models: list[str] | None = None
    """The models the caller's plan may choose (400 for a model it may not)."""


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> Response[Problem]:
    return Response(
        content=problem, status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def _retry_after(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


def domain_error_handler(_: Request[Any, Any, Any], error: DomainError) -> Response[Problem]:
    match error:
        case InvalidInput():
            errors = [FieldProblem(e.field, e.message) for e in error.errors]
            problem = _problem(400, "invalid-input", "Invalid input", error, errors=errors)
            if isinstance(error, ModelNotAllowed):
                problem = msgspec.structs.replace(problem, allowed_models=error.allowed)
            return problem_response(problem)
        case NotFound():
            return problem_response(_problem(404, "not-found", "Not found", error))
        case KeyReused():
            return problem_response(_problem(422, "idempotency-key-reused", "Idempotency key reused", error))
        case RoleRequired():
            return problem_response(_problem(403, "role-required", error.title, error))
        case Forbidden():
            slug = next((slug for kind, slug in _FORBIDDEN_TYPES if isinstance(error, kind)), "forbidden")
            return problem_response(_problem(403, slug, error.title, error))
        case StaleVersion():
            problem = _problem(409, "stale-version", "Stale version", error)
            return problem_response(msgspec.structs.replace(problem, current_version=error.current_version))
        case Conflict():
            return problem_response(_problem(409, "conflict", "Conflict", error))
        case OutOfCredits():
            problem = _problem(429, "out-of-credits", "Out of credits", error)
            problem = msgspec.structs.replace(
                problem,
                detail=f"{error.message} The next credit comes back at {iso_ms(error.resets_at)}.",
                resets_at=iso_ms(error.resets_at),
            )
            return problem_response(problem, _retry_after(error.retry_after.total_seconds()))
        case RateLimited():
            problem = _problem(429, "rate-limited", "Too many requests", error)
            return problem_response(problem, _retry_after(error.retry_after.total_seconds()))
    return problem_response(_problem(400, "domain-error", "Request refused", error))


def _problem(
    status: int, slug: str, title: str, error: DomainError, errors: list[FieldProblem] | None = None
) -> Problem:
    return Problem(
        type=PROBLEM_TYPE_BASE + slug, title=title, status=status, detail=error.message, errors=errors
    )


def validation_error_handler(_: Request[Any, Any, Any], error: ValidationException) -> Response[Problem]:
    """Litestar's decoding errors, with msgspec's path turned into the wire field name."""
    errors = [
        FieldProblem(
            field=str(item.get("key") or "body"),
            message=str(item.get("message", "invalid value")),
            source=str(item.get("source", "body")),
        )
        for item in (error.extra if isinstance(error.extra, list) else [])
        if isinstance(item, dict)
    ]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors) or str(error.detail)
    return problem_response(
        Problem(
            type=PROBLEM_TYPE_BASE + "invalid-input",
            title="Invalid input",
            status=400,
            detail=detail,
            errors=errors or None,
        )
    )


def http_error_handler(_: Request[Any, Any, Any], error: HTTPException) -> Response[Problem]:
    """Litestar's own HTTP errors (401, 404 route, 405, 413, …) in the same shape."""
    headers = dict(error.headers or {})
    if isinstance(error, NotAuthorizedException):
        headers.setdefault("WWW-Authenticate", "Bearer")
    title = _title(error.status_code)
    return problem_response(
        Problem(type="about:blank", title=title, status=error.status_code, detail=str(error.detail or title)),
        headers or None,
    )


def unexpected_error_handler(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return problem_response(
        Problem(
            type="about:blank",
            title="Internal server error",
            status=HTTP_500_INTERNAL_SERVER_ERROR,
            detail="Something went wrong on our side.",
        )
    )


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    Exception: unexpected_error_handler,
}


_FRAME_CODES: list[tuple[type[DomainError], str]] = [
    (InvalidInput, "invalid_input"),
    (KeyReused, "invalid_input"),
    (NotFound, "not_found"),
    (Forbidden, "forbidden"),
    (StaleVersion, "stale_version"),
    (Conflict, "conflict"),
    (OutOfCredits, "out_of_credits"),
    (RateLimited, "rate_limited"),
]


def error_frame(error: DomainError, ref: str | None) -> ErrorFrame:
    """The `error` frame a refused client frame gets: the same refusals as REST, as codes."""
    code = next((code for kind, code in _FRAME_CODES if isinstance(error, kind)), "refused")
    message = error.message
    if isinstance(error, OutOfCredits):
        message = f"{message} The next credit comes back at {iso_ms(error.resets_at)}."
    elif isinstance(error, StaleVersion):
        message = f"{message} The current version is {error.current_version}."
    return ErrorFrame(code=code, message=message, ref=ref)
