"""A project's members (API.md, "Sharing"): listing them, changing a role, removing someone or
leaving. Every change is a sequenced event of the project, so open tabs learn it at once."""

from __future__ import annotations

import msgspec

from domain.enums import MemberRole
from domain.errors import NotFound
from domain.events import MemberRemoved, MemberUpdated
from domain.ids import ProjectId, UserId
from domain.rules.permissions import Action, check_allowed, check_member_id, check_not_owner, removal
from domain.services.base import Service
from domain.views import MemberView


class MemberService(Service):
    async def list_members(self, user_id: UserId, project_id: ProjectId) -> list[MemberView]:
        """The owner first, then the members in the order they came."""
        project = (await self.access(user_id, project_id, Action.READ)).project
        members = await self.storage.members.list_for_project(project_id)
        profiles = await self.storage.profiles.get_many([project.user_id, *(m.user_id for m in members)])
        return MemberView.members_of(project, members, profiles)

    async def change_role(
        self, user_id: UserId, project_id: ProjectId, target: UserId, role: MemberRole
    ) -> MemberView:
        """The owner gives a member another role (raising or lowering it)."""
        async with self.committed() as outbox:
            project = (await self.access(user_id, project_id, Action.MANAGE)).project
            check_member_id(target)
            check_not_owner(project, target)
            member = await self.storage.members.get(project_id, target)
            if member is None:
                raise NotFound("Member not found.")
            profile = (await self.storage.profiles.get_many([target])).get(target)
            if member.role == role:
                return MemberView.of(member, profile)
            changed = msgspec.structs.replace(member, role=role)
            await self.storage.members.save(changed)
            view = MemberView.of(changed, profile)
            outbox.add(project_id, MemberUpdated(member=view))
        return view

    async def remove(self, user_id: UserId, project_id: ProjectId, target: UserId) -> None:
        """The owner removes a member, or a member leaves; the owner cannot be removed."""
        async with self.committed() as outbox:
            # Which action this is depends on whose the project is: read it first.
            access = await self.access(user_id, project_id, Action.READ)
            check_allowed(access.role, removal(access.project, user_id, target))
            check_member_id(target)
            check_not_owner(access.project, target)
            if not await self.storage.members.delete(project_id, target):
                raise NotFound("Member not found.")
            outbox.add(project_id, MemberRemoved(user_id=target))
