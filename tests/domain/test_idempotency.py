"""What a request with an Idempotency-Key finds, and refusals kept as first answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import msgspec
import pytest

from domain.errors import (
    AdminOnly,
    FieldError,
    InvalidInput,
    KeyReused,
    ModelNotAllowed,
    NotFound,
    OutOfCredits,
    PlanRequired,
    RequestInFlight,
    RoleRequired,
)
from domain.idempotency import AnyAnswer, IdempotencyRecord, Refusal, RequestKey
from domain.ids import UserId
from domain.rules.idempotency import KEY_LIFETIME, RESERVATION_LEASE, first_answer, reservation

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
REQUEST = RequestKey(key="k-1", fingerprint="f" * 64)
REFUSED = Refusal(error="NotFound", message="Project not found.")


def reserved(at: datetime = NOW, answer: AnyAnswer | None = None) -> IdempotencyRecord:
    record = reservation(UserId("alice"), REQUEST, uuid4(), at)
    return msgspec.structs.replace(record, answer=answer)


def test_a_key_never_used_is_free():
    assert first_answer(None, REQUEST.fingerprint, NOW) is None


def test_a_repeat_gets_the_stored_answer():
    assert first_answer(reserved(answer=REFUSED), REQUEST.fingerprint, NOW) == REFUSED


def test_the_key_with_another_request_is_reused():
    with pytest.raises(KeyReused):
        first_answer(reserved(answer=REFUSED), "another fingerprint", NOW)


def test_a_repeat_while_the_first_holds_its_lease_is_in_flight():
    with pytest.raises(RequestInFlight):
        first_answer(reserved(), REQUEST.fingerprint, NOW + RESERVATION_LEASE - timedelta(seconds=1))


def test_a_reservation_whose_lease_ended_is_free_to_take_over():
    assert first_answer(reserved(), REQUEST.fingerprint, NOW + RESERVATION_LEASE) is None


def test_a_key_is_forgotten_after_its_lifetime_even_with_another_request():
    assert first_answer(reserved(answer=REFUSED), "another fingerprint", NOW + KEY_LIFETIME) is None


def test_a_kept_refusal_raises_the_same_error_again():
    error = Refusal.of(NotFound("Project not found."), NOW).error_at(NOW + timedelta(hours=1))

    assert (type(error), error.message) == (NotFound, "Project not found.")


@pytest.mark.parametrize("kind", [PlanRequired, AdminOnly])
def test_a_kept_refusal_keeps_its_kind_of_forbidden(kind):
    error = Refusal.of(kind("No."), NOW).error_at(NOW)

    assert (type(error), error.title) == (kind, kind.title)


def test_a_kept_refusal_for_a_role_stays_one():
    error = Refusal.of(RoleRequired(), NOW).error_at(NOW + timedelta(hours=1))

    assert type(error) is RoleRequired


def test_a_kept_out_of_credits_counts_its_wait_from_the_repeat():
    resets_at = NOW + timedelta(hours=3)
    refusal = Refusal.of(OutOfCredits(retry_after=resets_at - NOW, resets_at=resets_at), NOW)

    error = refusal.error_at(NOW + timedelta(hours=1))

    assert isinstance(error, OutOfCredits)
    assert (error.resets_at, error.retry_after) == (resets_at, timedelta(hours=2))


def test_a_kept_invalid_input_keeps_its_field_errors():
    refusal = Refusal.of(InvalidInput([FieldError("message", "must be at least 3 characters")]), NOW)

    error = refusal.error_at(NOW)

    assert isinstance(error, InvalidInput)
    assert [(e.field, e.message) for e in error.errors] == [("message", "must be at least 3 characters")]
    assert error.message == "message: must be at least 3 characters"


def test_a_kept_model_refusal_keeps_the_models_it_listed():
    refusal = Refusal.of(
        ModelNotAllowed([FieldError("model", "'x' is not a model we offer")], ["a", "b"]), NOW
    )

    error = refusal.error_at(NOW)

    assert isinstance(error, ModelNotAllowed)
    assert (error.allowed, [(e.field, e.message) for e in error.errors]) == (
        ["a", "b"],
        [("model", "'x' is not a model we offer")],
    )


def test_an_error_of_an_unlisted_class_is_kept_as_its_nearest_listed_ancestor():
    class ProjectGone(NotFound):
        """The project is gone."""

    assert Refusal.of(ProjectGone(), NOW) == Refusal(error="NotFound", message="The project is gone.")


def test_a_refusal_survives_its_json_round_trip():
    resets_at = NOW + timedelta(hours=3)
    refusal = Refusal.of(OutOfCredits(retry_after=timedelta(hours=3), resets_at=resets_at), NOW)

    decoded = msgspec.json.decode(msgspec.json.encode(refusal), type=AnyAnswer)

    assert decoded == refusal
