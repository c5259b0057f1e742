from __future__ import annotations

from datetime import UTC, datetime

from domain.rules.naming import default_project_name


def test_a_project_from_a_prompt_is_named_by_its_epoch_milliseconds():
    moment = datetime(2024, 4, 5, 12, 0, 0, 123000, tzinfo=UTC)

    assert default_project_name(moment) == "Project-1712318400123"
