"""Invite links (API.md, "Sharing"): made, listed and revoked by those who may invite, and
accepted by whoever holds one, who becomes a member."""

from __future__ import annotations

import secrets
from datetime import timedelta

import msgspec

from domain.entities import Invitation, ProjectMember
from domain.enums import MemberRole, ProjectRole
from domain.errors import NotFound
from domain.events import MemberUpdated
from domain.ids import InvitationId, ProjectId, UserId, new_id
from domain.inputs import NewInvitation
from domain.rules.invitations import TOKEN_BYTES, check_terms, check_usable, token_hash
from domain.rules.permissions import Action, role_after_accepting, role_in
from domain.services.base import Page, Service, page_of
from domain.views import MemberView


class IssuedInvitation(msgspec.Struct, frozen=True, kw_only=True):
    invitation: Invitation
    token: str
    """The link's secret: given to its maker once, never stored."""


class Acceptance(msgspec.Struct, frozen=True, kw_only=True):
    project_id: ProjectId
    role: ProjectRole
    """The role the person has now."""


class InvitationService(Service):
    async def create(self, user_id: UserId, project_id: ProjectId, new: NewInvitation) -> IssuedInvitation:
        check_terms(new.expires_in_hours, new.max_uses)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self.clock.now()
        invitation = Invitation(
            id=InvitationId(new_id()),
            project_id=project_id,
            token_hash=token_hash(token),
            role=new.role,
            expires_at=now + timedelta(hours=new.expires_in_hours),
            max_uses=new.max_uses,
            created_by=user_id,
            created_at=now,
        )
        async with self.committed():
            await self.access(user_id, project_id, Action.INVITE)
            await self.storage.invitations.insert(invitation)
        return IssuedInvitation(invitation=invitation, token=token)

    async def list_invitations(
        self, user_id: UserId, project_id: ProjectId, limit: int, before: InvitationId | None = None
    ) -> Page[Invitation]:
        """The invitations not revoked (expired and used-up ones too), newest first."""
        await self.access(user_id, project_id, Action.INVITE)
        rows = await self.storage.invitations.list_for_project(project_id, limit + 1, before)
        return page_of(rows, limit, lambda invitation: invitation.id)

    async def revoke(self, user_id: UserId, project_id: ProjectId, invitation_id: InvitationId) -> None:
        """The link stops working at once; a revoked one is gone (NotFound)."""
        async with self.committed():
            await self.access(user_id, project_id, Action.INVITE)
            invitation = await self.storage.invitations.get(invitation_id)
            if invitation is None or invitation.project_id != project_id:
                raise NotFound("Invitation not found.")
            if not await self.storage.invitations.revoke(invitation_id, self.clock.now()):
                raise NotFound("Invitation not found.")

    async def accept(self, user_id: UserId, token: str) -> Acceptance:
        """Makes the user a member with the link's role. Accepting again is harmless: a role is
        never lowered, and an acceptance that changes nothing counts no use."""
        now = self.clock.now()
        async with self.committed() as outbox:
            found = await self.storage.invitations.lock_by_token_hash(token_hash(token))
            invitation = check_usable(found, now, counts_a_use=False)
            project = await self.storage.projects.get(invitation.project_id)
            if project is None:  # deleted with its invitations in a transaction still committing
                raise NotFound("Invitation not found.")
            member = await self.storage.members.get(project.id, user_id)
            current = role_in(project, user_id, member)
            role = role_after_accepting(current, invitation.role)
            if role == current:
                return Acceptance(project_id=project.id, role=role)
            check_usable(invitation, now, counts_a_use=True)
            added = ProjectMember(
                project_id=project.id,
                user_id=user_id,
                role=MemberRole(role),
                added_at=now if member is None else member.added_at,
            )
            await self.storage.members.save(added)
            await self.storage.invitations.count_use(invitation.id)
            profile = (await self.storage.profiles.get_many([user_id])).get(user_id)
            outbox.add(project.id, MemberUpdated(member=MemberView.of(added, profile)))
        return Acceptance(project_id=project.id, role=role)
