"""Examples of the sharing bodies (API.md, "Sharing"), for the OpenAPI document beside
server/examples.py."""

from __future__ import annotations

from uuid import UUID

import msgspec

from domain.enums import MemberRole, ProjectRole
from domain.inputs import NewInvitation, RoleChange
from domain.views import MemberView
from server.sharing_schemas import (
    AcceptedInvitation,
    AcceptInvitation,
    CreatedInvitation,
    InvitationPage,
    InvitationView,
    MemberList,
)

PROJECT = UUID("01a2030e-25ad-7031-a180-3f576d507b02")
INVITATION = UUID("01a2030e-7000-7f66-9263-7e51ef90a1b6")
OWNER = "user_abc123"
AT = "2024-04-05T12:00:00.000Z"
LATER = "2024-04-06T09:30:00.000Z"
EXPIRES = "2024-04-12T12:00:00.000Z"
TOKEN = "k3vQ2sN9xYw7Lr0pT5uB8mC1dF6gH4jZaEeIiOoUuYy"

EDITOR = MemberView(
    user_id="user_def456", role=ProjectRole.EDITOR, name="Dana", image_url=None, added_at=LATER
)
INVITATION_VIEW = InvitationView(
    id=INVITATION,
    role=MemberRole.EDITOR,
    expires_at=EXPIRES,
    max_uses=5,
    uses=1,
    created_by=OWNER,
    created_at=AT,
)

SHARING_EXAMPLES: list[msgspec.Struct] = [
    EDITOR,
    MemberList(items=[MemberView(user_id=OWNER, role=ProjectRole.OWNER, added_at=AT), EDITOR]),
    RoleChange(role=MemberRole.VIEWER),
    NewInvitation(role=MemberRole.EDITOR, expires_in_hours=168, max_uses=5),
    CreatedInvitation(
        id=INVITATION, token=TOKEN, role=MemberRole.EDITOR, expires_at=EXPIRES, max_uses=5, uses=0
    ),
    INVITATION_VIEW,
    InvitationPage(items=[INVITATION_VIEW], next_cursor=None),
    AcceptInvitation(token=TOKEN),
    AcceptedInvitation(project_id=PROJECT, role=ProjectRole.EDITOR),
]
