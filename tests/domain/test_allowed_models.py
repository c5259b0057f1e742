"""Which models a plan may choose."""

from __future__ import annotations

import pytest

from domain.enums import Plan
from domain.errors import ModelNotAllowed
from domain.rules.models import ModelCatalog, check_model

CATALOG = ModelCatalog(
    allowed={Plan.FREE: frozenset({"small"}), Plan.PRO: frozenset({"small", "large"})}, default="medium"
)


def test_a_plan_may_choose_its_models_and_the_default():
    assert CATALOG.allowed_for(Plan.FREE) == ["medium", "small"]


def test_a_plan_without_a_list_still_has_the_default():
    assert CATALOG.allowed_for(Plan.UNLIMITED) == ["medium"]


def test_an_allowed_model_passes():
    check_model(CATALOG, Plan.PRO, "large", "model")


def test_a_model_of_another_plan_is_refused_with_the_plans_models():
    with pytest.raises(ModelNotAllowed) as refused:
        check_model(CATALOG, Plan.FREE, "large", "modelPreference")

    assert refused.value.allowed == ["medium", "small"]
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("modelPreference", "'large' is not available on your plan; choose one of: medium, small")
    ]


def test_an_unknown_model_is_refused_as_one_we_do_not_offer():
    with pytest.raises(ModelNotAllowed) as refused:
        check_model(CATALOG, Plan.PRO, "gpt-9", "model")

    assert (
        refused.value.errors[0].message
        == "'gpt-9' is not a model we offer; choose one of: large, medium, small"
    )
