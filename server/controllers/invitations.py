"""Invite links: made, listed and revoked on a project, accepted by whoever holds one."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.ids import InvitationId, ProjectId, UserId
from domain.inputs import NewInvitation
from domain.services.invitations import InvitationService
from server.controllers.params import DEFAULT_LIMIT, Cursor, Limit
from server.openapi import ROLE_REQUIRED, problems
from server.schemas import Success, decode_cursor, encode_cursor
from server.sharing_schemas import (
    AcceptedInvitation,
    AcceptInvitation,
    CreatedInvitation,
    InvitationPage,
    InvitationView,
)


class InvitationController(Controller):
    path = ""
    tags = ["sharing"]

    @post(
        "/projects/{project_id:uuid}/invitations",
        operation_id="createInvitation",
        responses=problems(403, 404, overrides=ROLE_REQUIRED),
        status_code=201,
    )
    async def create_invitation(
        self,
        project_id: FromPath[UUID],
        data: JSONBody[NewInvitation],
        user_id: NamedDependency[UserId],
        invitations: NamedDependency[InvitationService],
    ) -> CreatedInvitation:
        """An invite link to the project with `role` (EDITOR or VIEWER). Its `token` is shown here
        only: it is the link's secret."""
        issued = await invitations.create(user_id, ProjectId(project_id), data)
        return CreatedInvitation.of(issued.invitation, issued.token)

    @get(
        "/projects/{project_id:uuid}/invitations",
        operation_id="listInvitations",
        responses=problems(403, 404, overrides=ROLE_REQUIRED),
    )
    async def list_invitations(
        self,
        project_id: FromPath[UUID],
        user_id: NamedDependency[UserId],
        invitations: NamedDependency[InvitationService],
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> InvitationPage:
        """The project's invitations not revoked, newest first, without their tokens."""
        before = decode_cursor(cursor)
        page = await invitations.list_invitations(
            user_id, ProjectId(project_id), limit, None if before is None else InvitationId(before)
        )
        items = [InvitationView.from_entity(invitation) for invitation in page.items]
        return InvitationPage(items=items, next_cursor=encode_cursor(page.next_key))

    @delete(
        "/projects/{project_id:uuid}/invitations/{invitation_id:uuid}",
        operation_id="revokeInvitation",
        responses=problems(403, 404, overrides=ROLE_REQUIRED),
        status_code=200,
    )
    async def revoke_invitation(
        self,
        project_id: FromPath[UUID],
        invitation_id: FromPath[UUID],
        user_id: NamedDependency[UserId],
        invitations: NamedDependency[InvitationService],
    ) -> Success:
        """The link stops working at once."""
        await invitations.revoke(user_id, ProjectId(project_id), InvitationId(invitation_id))
        return Success()

    @post("/invitations/accept", operation_id="acceptInvitation", responses=problems(404), status_code=200)
    async def accept_invitation(
        self,
        data: JSONBody[AcceptInvitation],
        user_id: NamedDependency[UserId],
        invitations: NamedDependency[InvitationService],
    ) -> AcceptedInvitation:
        """Join the project the link is for. Unknown, revoked, expired or used-up links are 404
        alike; accepting again keeps the higher of the two roles."""
        accepted = await invitations.accept(user_id, data.token)
        return AcceptedInvitation(project_id=accepted.project_id, role=accepted.role)
