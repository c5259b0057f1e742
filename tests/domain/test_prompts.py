"""Length limits of what a person types."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.rules.prompts import check_message_value, check_project_message, check_project_name


@pytest.mark.parametrize("length", [3, 1000])
def test_project_messages_within_the_limits_pass(length):
    check_project_message("a" * length)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ab", "must be at least 3 characters"),
        ("   ", "must be at least 3 characters"),
        ("a" * 1001, "must be at most 1000 characters"),
    ],
)
def test_project_messages_outside_the_limits_name_the_field(text, message):
    with pytest.raises(InvalidInput) as refused:
        check_project_message(text)

    assert [(e.field, e.message) for e in refused.value.errors] == [("message", message)]


@pytest.mark.parametrize(
    ("text", "ok"), [("", False), ("a", True), ("a" * 10_000, True), ("a" * 10_001, False)]
)
def test_message_values_are_1_to_10000_characters(text, ok):
    if ok:
        check_message_value(text)
    else:
        with pytest.raises(InvalidInput):
            check_message_value(text)


def test_a_blank_project_name_is_refused():
    with pytest.raises(InvalidInput):
        check_project_name("  ")
