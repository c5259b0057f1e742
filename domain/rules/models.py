"""Which models a plan may choose. A chosen model goes to the model provider as it is, so an
unknown name or one of a dearer plan is refused where it is chosen, before anything is spent."""

from __future__ import annotations

import msgspec

from domain.enums import Plan
from domain.errors import FieldError, ModelNotAllowed

OFFLINE_MODEL = "offline-builder"
"""The offline provider's model: the default, and so always allowed, without an Anthropic key."""

DEFAULT_ALLOWED_MODELS: dict[Plan, frozenset[str]] = {
    Plan.FREE: frozenset({"claude-haiku-5-5", "claude-sonnet-5-5"}),
    Plan.PRO: frozenset({"claude-haiku-5-5", "claude-sonnet-5-5", "claude-opus-5-5"}),
    Plan.UNLIMITED: frozenset({"claude-haiku-5-5", "claude-sonnet-5-5", "claude-opus-5-5"}),
}
"""What FORGE_ALLOWED_MODELS_<PLAN> default to."""


class ModelCatalog(msgspec.Struct, frozen=True, kw_only=True):
    """The models each plan may choose (from settings), and the model of a run that chose none."""

    allowed: dict[Plan, frozenset[str]] = msgspec.field(default_factory=lambda: dict(DEFAULT_ALLOWED_MODELS))
    default: str = OFFLINE_MODEL
    """Allowed on every plan: it is what a run uses when nothing was chosen."""

    def allowed_for(self, plan: Plan) -> list[str]:
        """The plan's models, in a stable order for the people who read them."""
        return sorted(self.allowed.get(plan, frozenset()) | {self.default})

    def is_known(self, model: str) -> bool:
        return model == self.default or any(model in models for models in self.allowed.values())


def check_model(catalog: ModelCatalog, plan: Plan, model: str, field: str) -> None:
    """Raises ModelNotAllowed, naming `field` and listing the plan's models, unless `model` is one
    of them."""
    allowed = catalog.allowed_for(plan)
    if model in allowed:
        return
    why = "is not available on your plan" if catalog.is_known(model) else "is not a model we offer"
    raise ModelNotAllowed(
        [FieldError(field, f"{model!r} {why}; choose one of: {', '.join(allowed)}")], allowed
    )
