"""What a person's own channel (`GET /ws/me`) is told after a commit: that one of their projects
appeared, changed or went away from their list, or that their credits changed. A signal names
what changed, not how: the channel reads the state as it is then, so signals that race or repeat
still end in the state the REST routes return."""

from __future__ import annotations

import msgspec

from domain.ids import ProjectId, UserId


class UserSignal(msgspec.Struct, frozen=True, kw_only=True, rename="camel", tag_field="kind"):
    user_id: UserId


class ListingChanged(UserSignal, tag="listing", frozen=True, kw_only=True):
    """The project is new, changed or gone in the user's project list."""

    project_id: ProjectId


class UsageChanged(UserSignal, tag="usage", frozen=True, kw_only=True):
    """The user's credits or plan changed."""


AnyUserSignal = ListingChanged | UsageChanged
