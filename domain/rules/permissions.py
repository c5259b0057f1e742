"""Who may do what on a project (API.md, "Sharing: members and roles"): the one table that every
service asks before it reads or changes anything of a project."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from domain.entities import Project, ProjectMember
from domain.enums import MemberRole, ProjectRole
from domain.errors import Conflict, NotFound, RoleRequired
from domain.ids import UserId


class Action(StrEnum):
    READ = "read"
    """Read the project, its messages, fragments, draft, zip, runs, imports and members; watch its
    channels."""
    BUILD = "build"
    """Prompt, edit the draft, restore, rename, attach, import, run and cancel."""
    INVITE = "invite"
    """Invite VIEWERs and EDITORs, list and revoke invitations."""
    MANAGE = "manage"
    """Change a member's role, remove a member."""
    DELETE = "delete"
    """Delete the project."""
    LEAVE = "leave"
    """Remove oneself."""


ALLOWED: Mapping[ProjectRole, frozenset[Action]] = {
    ProjectRole.VIEWER: frozenset({Action.READ, Action.LEAVE}),
    ProjectRole.EDITOR: frozenset({Action.READ, Action.BUILD, Action.INVITE, Action.LEAVE}),
    # The owner cannot leave: a project always has its owner.
    ProjectRole.OWNER: frozenset({Action.READ, Action.BUILD, Action.INVITE, Action.MANAGE, Action.DELETE}),
}

USER_ID_MAX = 255
"""As long as a stored user id may be."""

_RANK = {ProjectRole.VIEWER: 0, ProjectRole.EDITOR: 1, ProjectRole.OWNER: 2}


def role_in(project: Project, user_id: UserId, member: ProjectMember | None) -> ProjectRole | None:
    """The user's role on the project: OWNER for its user, a member's role, None for anyone else."""
    if project.user_id == user_id:
        return ProjectRole.OWNER
    return None if member is None else ProjectRole(member.role)


def check_allowed(role: ProjectRole | None, action: Action) -> ProjectRole:
    """The role, if it allows the action. Someone who is not a member finds no project at all
    (NotFound, as for a project that does not exist); a member whose role does not allow the
    action gets RoleRequired."""
    if role is None:
        raise NotFound("Project not found.")
    if action not in ALLOWED[role]:
        raise RoleRequired()
    return role


def removal(project: Project, caller: UserId, target: UserId) -> Action:
    """A member removing themself is leaving; removing anyone else, or the owner, is managing the
    members (so the owner is told they cannot be removed, and nobody else may try)."""
    return Action.LEAVE if caller == target != project.user_id else Action.MANAGE


def check_member_id(user_id: str) -> None:
    """A user id no database could hold (too long, a NUL) names nobody: no such member."""
    if not 0 < len(user_id) <= USER_ID_MAX or "\x00" in user_id:
        raise NotFound("Member not found.")


def check_not_owner(project: Project, target: UserId) -> None:
    """The owner's place is not a member's: it can be neither removed nor given another role."""
    if project.user_id == target:
        raise Conflict("The project's owner cannot be removed or given another role.")


def role_after_accepting(current: ProjectRole | None, offered: MemberRole) -> ProjectRole:
    """Accepting an invitation never lowers a role: a member keeps the higher of the two, and the
    owner stays the owner."""
    if current is not None and _RANK[current] >= _RANK[ProjectRole(offered)]:
        return current
    return ProjectRole(offered)
