"""Sharing a project: its members (`project_members`), how people are shown (`profiles`) and
invite links (`invitations`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from piccolo.custom_types import Combinable

from db.stores.rows import from_row, to_row
from db.tables import InvitationTable, ProfileTable, ProjectMemberTable
from domain.entities import Invitation, Profile, ProjectMember
from domain.ids import InvitationId, ProjectId, UserId


class PiccoloMemberStore:
    async def get(self, project_id: ProjectId, user_id: UserId) -> ProjectMember | None:
        row = await ProjectMemberTable.select().where(_member(project_id, user_id)).first()
        return None if row is None else from_row(row, ProjectMember)

    async def list_for_project(self, project_id: ProjectId) -> list[ProjectMember]:
        rows = (
            await ProjectMemberTable.select()
            .where(ProjectMemberTable.project_id == project_id)
            .order_by(ProjectMemberTable.added_at, ProjectMemberTable.user_id)
        )
        return [from_row(row, ProjectMember) for row in rows]

    async def save(self, member: ProjectMember) -> None:
        # An upsert: two acceptances racing for one person leave one row, not an error.
        await ProjectMemberTable.insert(ProjectMemberTable(**to_row(member))).on_conflict(
            target=(ProjectMemberTable.project_id, ProjectMemberTable.user_id),
            action="DO UPDATE",
            values=[ProjectMemberTable.role],
        )

    async def delete(self, project_id: ProjectId, user_id: UserId) -> bool:
        rows = (
            await ProjectMemberTable.delete()
            .where(_member(project_id, user_id))
            .returning(ProjectMemberTable.user_id)
        )
        return bool(rows)


class PiccoloProfileStore:
    async def get_many(self, user_ids: Sequence[UserId]) -> dict[UserId, Profile]:
        if not user_ids:
            return {}
        rows = await ProfileTable.select().where(ProfileTable.user_id.is_in(list(user_ids)))
        return {row["user_id"]: from_row(row, Profile) for row in rows}

    async def save(self, profile: Profile) -> None:
        await ProfileTable.insert(ProfileTable(**to_row(profile))).on_conflict(
            target=ProfileTable.user_id,
            action="DO UPDATE",
            values=[ProfileTable.name, ProfileTable.image_url, ProfileTable.updated_at],
        )


def _member(project_id: ProjectId, user_id: UserId) -> Combinable:
    return (ProjectMemberTable.project_id == project_id) & (ProjectMemberTable.user_id == user_id)


class PiccoloInvitationStore:
    def __init__(self, can_lock_rows: bool) -> None:
        self.can_lock_rows = can_lock_rows

    async def insert(self, invitation: Invitation) -> None:
        await InvitationTable.insert(InvitationTable(**to_row(invitation)))

    async def get(self, invitation_id: InvitationId) -> Invitation | None:
        row = await InvitationTable.select().where(InvitationTable.id == invitation_id).first()
        return None if row is None else from_row(row, Invitation)

    async def lock_by_token_hash(self, token_hash: str) -> Invitation | None:
        query = InvitationTable.select().where(InvitationTable.token_hash == token_hash)
        if self.can_lock_rows:
            query = query.lock_rows("UPDATE")
        # Without row locks (SQLite) the immediate transaction already holds the write lock.
        row = await query.first()
        return None if row is None else from_row(row, Invitation)

    async def list_for_project(
        self, project_id: ProjectId, limit: int, before: InvitationId | None = None
    ) -> list[Invitation]:
        query = InvitationTable.select().where(
            (InvitationTable.project_id == project_id) & InvitationTable.revoked_at.is_null()
        )
        if before is not None:
            query = query.where(InvitationTable.id < before)
        rows = await query.order_by(InvitationTable.id, ascending=False).limit(limit)
        return [from_row(row, Invitation) for row in rows]

    async def count_use(self, invitation_id: InvitationId) -> None:
        await InvitationTable.update({InvitationTable.uses: InvitationTable.uses + 1}).where(
            InvitationTable.id == invitation_id
        )

    async def revoke(self, invitation_id: InvitationId, at: datetime) -> bool:
        rows = (
            await InvitationTable.update({InvitationTable.revoked_at: at})
            .where((InvitationTable.id == invitation_id) & InvitationTable.revoked_at.is_null())
            .returning(InvitationTable.id)
        )
        return bool(rows)
