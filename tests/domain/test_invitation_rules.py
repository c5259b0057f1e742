"""When an invite link still lets someone in, and what is kept of its token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from domain.entities import Invitation
from domain.enums import MemberRole
from domain.errors import InvalidInput, NotFound
from domain.ids import InvitationId, ProjectId, UserId, new_id
from domain.rules.invitations import check_terms, check_usable, token_hash

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
LINK = Invitation(
    id=InvitationId(new_id()),
    project_id=ProjectId(new_id()),
    token_hash=token_hash("secret"),
    role=MemberRole.EDITOR,
    expires_at=NOW + timedelta(hours=1),
    max_uses=2,
    uses=1,
    created_by=UserId("olivia"),
    created_at=NOW,
)


def test_a_live_link_with_uses_left_lets_someone_in():
    assert check_usable(LINK, NOW, counts_a_use=True) == LINK


@pytest.mark.parametrize(
    "link",
    [
        None,
        msgspec.structs.replace(LINK, revoked_at=NOW),
        msgspec.structs.replace(LINK, expires_at=NOW),
    ],
    ids=["unknown", "revoked", "expired"],
)
def test_unknown_revoked_and_expired_links_are_not_found_alike(link):
    with pytest.raises(NotFound, match=r"Invitation not found\."):
        check_usable(link, NOW, counts_a_use=False)


def test_a_used_up_link_is_not_found_when_it_would_count_a_use():
    with pytest.raises(NotFound, match=r"Invitation not found\."):
        check_usable(msgspec.structs.replace(LINK, uses=2), NOW, counts_a_use=True)


def test_a_used_up_link_still_answers_an_acceptance_that_counts_no_use():
    used_up = msgspec.structs.replace(LINK, uses=2)

    assert check_usable(used_up, NOW, counts_a_use=False) == used_up


def test_only_a_hash_of_the_token_is_kept():
    assert token_hash("secret") == "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b"


@pytest.mark.parametrize(("hours", "uses"), [(0, 1), (721, 1), (168, 0), (168, 101)])
def test_terms_outside_the_limits_are_invalid(hours, uses):
    with pytest.raises(InvalidInput):
        check_terms(hours, uses)


@pytest.mark.parametrize(("hours", "uses"), [(1, 1), (720, 100)])
def test_terms_at_the_limits_are_valid(hours, uses):
    check_terms(hours, uses)
