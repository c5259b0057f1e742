"""Whose project list a committed event changes: a project's change (a rename, new activity)
shows in the list of everyone who may watch it, a member's change in that member's own."""

from __future__ import annotations

from collections.abc import Iterable

from domain.events import MemberRemoved, MemberUpdated, ProjectEvent, ProjectUpdated
from domain.ids import UserId


def owner_if_changed_for_everyone(events: Iterable[ProjectEvent]) -> UserId | None:
    """The project's owner when the project changed as every list that holds it shows it (the
    event carries the project, so nobody reads it again), else None."""
    for event in events:
        if isinstance(event, ProjectUpdated):
            return UserId(event.project.user_id)
    return None


def changed_for_members(events: Iterable[ProjectEvent]) -> set[UserId]:
    """The members whose own access changed: added, given another role, or removed."""
    changed: set[UserId] = set()
    for event in events:
        if isinstance(event, MemberUpdated):
            changed.add(UserId(event.member.user_id))
        elif isinstance(event, MemberRemoved):
            changed.add(UserId(event.user_id))
    return changed
