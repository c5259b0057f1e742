"""The permission table of API.md ("Sharing: members and roles") and the rules around it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.entities import Project, ProjectMember
from domain.enums import Framework, MemberRole, ProjectRole
from domain.errors import Conflict, NotFound, RoleRequired
from domain.ids import ProjectId, UserId, new_id
from domain.rules.permissions import (
    Action,
    check_allowed,
    check_member_id,
    check_not_owner,
    removal,
    role_after_accepting,
    role_in,
)

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
PROJECT = Project(
    id=ProjectId(new_id()),
    user_id=UserId("olivia"),
    name="Todo",
    framework=Framework.NEXTJS,
    created_at=NOW,
    updated_at=NOW,
)

# API.md's table, row by row: the actions each role may take.
TABLE = {
    Action.READ: {ProjectRole.VIEWER, ProjectRole.EDITOR, ProjectRole.OWNER},
    Action.BUILD: {ProjectRole.EDITOR, ProjectRole.OWNER},
    Action.INVITE: {ProjectRole.EDITOR, ProjectRole.OWNER},
    Action.MANAGE: {ProjectRole.OWNER},
    Action.DELETE: {ProjectRole.OWNER},
    Action.LEAVE: {ProjectRole.VIEWER, ProjectRole.EDITOR},
}
CASES = [(action, role) for action in Action for role in ProjectRole]


def member(user: str, role: MemberRole) -> ProjectMember:
    return ProjectMember(project_id=PROJECT.id, user_id=UserId(user), role=role, added_at=NOW)


@pytest.mark.parametrize(("action", "role"), [(a, r) for a, r in CASES if r in TABLE[a]])
def test_a_role_the_table_allows_passes(action, role):
    assert check_allowed(role, action) == role


@pytest.mark.parametrize(("action", "role"), [(a, r) for a, r in CASES if r not in TABLE[a]])
def test_a_role_the_table_does_not_allow_is_refused_for_its_role(action, role):
    with pytest.raises(RoleRequired, match=r"Your role on this project does not allow this\."):
        check_allowed(role, action)


@pytest.mark.parametrize("action", list(Action))
def test_someone_who_is_not_a_member_finds_no_project(action):
    with pytest.raises(NotFound, match=r"Project not found\."):
        check_allowed(None, action)


def test_the_projects_user_is_its_owner():
    assert role_in(PROJECT, UserId("olivia"), None) == ProjectRole.OWNER


def test_a_member_has_the_role_of_their_row():
    assert role_in(PROJECT, UserId("eddie"), member("eddie", MemberRole.EDITOR)) == ProjectRole.EDITOR


def test_anyone_else_has_no_role():
    assert role_in(PROJECT, UserId("sam"), None) is None


def test_a_member_removing_themself_is_leaving():
    assert removal(PROJECT, UserId("vera"), UserId("vera")) == Action.LEAVE


def test_removing_someone_else_is_managing_the_members():
    assert removal(PROJECT, UserId("eddie"), UserId("vera")) == Action.MANAGE


def test_the_owner_removing_themself_is_managing_the_members():
    assert removal(PROJECT, UserId("olivia"), UserId("olivia")) == Action.MANAGE


def test_the_owner_cannot_be_removed_or_given_another_role():
    with pytest.raises(Conflict):
        check_not_owner(PROJECT, UserId("olivia"))


@pytest.mark.parametrize("user_id", ["", "a" * 256, "ed\x00die"])
def test_a_user_id_no_database_could_hold_names_no_member(user_id):
    with pytest.raises(NotFound, match=r"Member not found\."):
        check_member_id(user_id)


@pytest.mark.parametrize(
    ("current", "offered", "kept"),
    [
        (None, MemberRole.VIEWER, ProjectRole.VIEWER),
        (ProjectRole.VIEWER, MemberRole.EDITOR, ProjectRole.EDITOR),
        (ProjectRole.EDITOR, MemberRole.VIEWER, ProjectRole.EDITOR),
        (ProjectRole.EDITOR, MemberRole.EDITOR, ProjectRole.EDITOR),
        (ProjectRole.OWNER, MemberRole.EDITOR, ProjectRole.OWNER),
    ],
)
def test_accepting_an_invitation_never_lowers_a_role(current, offered, kept):
    assert role_after_accepting(current, offered) == kept
