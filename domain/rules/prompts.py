"""Validation of what a person types: prompts, names and the project's first message."""

from __future__ import annotations

from domain.errors import FieldError, InvalidInput

PROJECT_MESSAGE_MIN = 3
PROJECT_MESSAGE_MAX = 1000
MESSAGE_VALUE_MIN = 1
MESSAGE_VALUE_MAX = 10_000
PROJECT_NAME_MAX = 100


def length_error(field: str, text: str, minimum: int, maximum: int) -> FieldError | None:
    """Whitespace around the text does not count towards the minimum: '   ' is not a prompt."""
    if len(text.strip()) < minimum:
        noun = "character" if minimum == 1 else "characters"
        return FieldError(field, f"must be at least {minimum} {noun}")
    if len(text) > maximum:
        return FieldError(field, f"must be at most {maximum} characters")
    return None


def check_length(field: str, text: str, minimum: int, maximum: int) -> None:
    error = length_error(field, text, minimum, maximum)
    if error is not None:
        raise InvalidInput([error])


def check_project_message(text: str) -> None:
    check_length("message", text, PROJECT_MESSAGE_MIN, PROJECT_MESSAGE_MAX)


def check_message_value(text: str) -> None:
    check_length("value", text, MESSAGE_VALUE_MIN, MESSAGE_VALUE_MAX)


def check_project_name(name: str) -> None:
    check_length("name", name, 1, PROJECT_NAME_MAX)
