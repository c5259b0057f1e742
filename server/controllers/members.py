"""`/api/projects/{id}/members`: who a project is shared with, their roles, and leaving."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, patch
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.ids import ProjectId, UserId
from domain.inputs import RoleChange
from domain.services.members import MemberService
from domain.views import MemberView
from server.openapi import ROLE_REQUIRED, problems
from server.schemas import Success
from server.sharing_schemas import MemberList


class MemberController(Controller):
    path = "/projects/{project_id:uuid}/members"
    tags = ["sharing"]

    @get("/", operation_id="listMembers", responses=problems(404))
    async def list_members(
        self,
        project_id: FromPath[UUID],
        user_id: NamedDependency[UserId],
        members: NamedDependency[MemberService],
    ) -> MemberList:
        """Everyone who may watch the project with their role: the owner first."""
        return MemberList(items=await members.list_members(user_id, ProjectId(project_id)))

    @patch(
        "/{member_id:str}",
        operation_id="updateMember",
        responses=problems(403, 404, 409, overrides=ROLE_REQUIRED),
    )
    async def update_member(
        self,
        project_id: FromPath[UUID],
        member_id: FromPath[str],
        data: JSONBody[RoleChange],
        user_id: NamedDependency[UserId],
        members: NamedDependency[MemberService],
    ) -> MemberView:
        """Give a member another role (the owner only)."""
        return await members.change_role(user_id, ProjectId(project_id), UserId(member_id), data.role)

    @delete(
        "/{member_id:str}",
        operation_id="removeMember",
        responses=problems(403, 404, 409, overrides=ROLE_REQUIRED),
        status_code=200,
    )
    async def remove_member(
        self,
        project_id: FromPath[UUID],
        member_id: FromPath[str],
        user_id: NamedDependency[UserId],
        members: NamedDependency[MemberService],
    ) -> Success:
        """Remove a member (the owner), or leave (a member, with their own user id). Their open tabs
        of the project are closed with 4403. The owner cannot be removed (409)."""
        await members.remove(user_id, ProjectId(project_id), UserId(member_id))
        return Success()
