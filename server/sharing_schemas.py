"""Request and response bodies of the sharing routes (API.md, "Sharing: members and roles")."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec

from domain.entities import Invitation
from domain.enums import MemberRole, ProjectRole
from domain.views import MemberView, Timestamp, iso_ms
from server.schemas import Body


class MemberList(Body, frozen=True, kw_only=True):
    items: list[MemberView]
    """The owner first, then the members in the order they came."""


class InvitationView(Body, frozen=True, kw_only=True):
    """An invitation as the list shows it: never its token."""

    id: UUID
    role: MemberRole
    expires_at: Timestamp
    max_uses: int
    uses: int
    created_by: str
    created_at: Timestamp

    @classmethod
    def from_entity(cls, invitation: Invitation) -> InvitationView:
        return cls(
            id=invitation.id,
            role=invitation.role,
            expires_at=iso_ms(invitation.expires_at),
            max_uses=invitation.max_uses,
            uses=invitation.uses,
            created_by=invitation.created_by,
            created_at=iso_ms(invitation.created_at),
        )


class CreatedInvitation(Body, frozen=True, kw_only=True):
    """A new invite link; its `token` is shown here only."""

    id: UUID
    token: str
    role: MemberRole
    expires_at: Timestamp
    max_uses: int
    uses: int

    @classmethod
    def of(cls, invitation: Invitation, token: str) -> CreatedInvitation:
        return cls(
            id=invitation.id,
            token=token,
            role=invitation.role,
            expires_at=iso_ms(invitation.expires_at),
            max_uses=invitation.max_uses,
            uses=invitation.uses,
        )


class InvitationPage(Body, frozen=True, kw_only=True):
    items: list[InvitationView]
    next_cursor: str | None


class AcceptInvitation(Body, frozen=True, kw_only=True):
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]


class AcceptedInvitation(Body, frozen=True, kw_only=True):
    project_id: UUID
    role: ProjectRole
    """The caller's role on the project now."""
