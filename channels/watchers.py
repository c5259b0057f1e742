"""Who may watch a project, as its feed in this process knows it: the roles a hello was made
with, kept current by the `member.updated` / `member.removed` events the feed delivers, plus the
people a database check let in meanwhile. A tab joining a project whose watchers are known needs
no database read (a reconnect storm is a thousand joins at once).
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from domain.enums import ProjectRole
from domain.events import MemberRemoved, MemberUpdated

_MEMBER_MARK = b'"type":"member.'
_decoder = msgspec.json.Decoder(MemberUpdated | MemberRemoved)


class MemberChange(msgspec.Struct, frozen=True):
    """What a member event changes: someone's role, or (None) their access."""

    user_id: str
    role: ProjectRole | None

    def removes(self, user_id: str) -> bool:
        return self.role is None and self.user_id == user_id


def member_change(frame: bytes) -> MemberChange | None:
    """The change a stored frame makes to who may watch, if it is a member event."""
    if _MEMBER_MARK not in frame:
        return None
    event = _decoder.decode(frame)
    if isinstance(event, MemberUpdated):
        return MemberChange(event.member.user_id, event.member.role)
    return MemberChange(event.user_id, None)


class Watchers:
    """One feed's knowledge of who may watch its project.

    `version` moves with every change, so a database check that began before a member event was
    delivered is not remembered after it: the check may have read the roles before the change.
    """

    def __init__(self) -> None:
        self._roles: dict[str, ProjectRole] = {}
        self._complete = False
        """Whether `_roles` lists everyone (loaded with a hello), so anyone else may not watch."""
        self._as_of = 0
        """The seq the complete list was made at; earlier events are already in it."""
        self.version = 0

    def knows(self, user_id: str) -> bool:
        return self._complete or user_id in self._roles

    def role_of(self, user_id: str) -> ProjectRole | None:
        return self._roles.get(user_id)

    def load(self, roles: Mapping[str, ProjectRole], seq: int) -> None:
        """Everyone who may watch as of `seq` (a hello's)."""
        self._roles, self._complete, self._as_of = dict(roles), True, seq
        self.version += 1

    def learn(self, user_id: str, role: ProjectRole, since_version: int) -> None:
        """Remembers what a database check found, unless a change came between (see the class)."""
        if since_version == self.version:
            self._roles[user_id] = role

    def apply(self, change: MemberChange, seq: int) -> None:
        if seq <= self._as_of:
            return
        if change.role is None:
            self._roles.pop(change.user_id, None)
        else:
            self._roles[change.user_id] = change.role
        self.version += 1

    def forget(self) -> None:
        """History was lost (a new epoch, a resync): events may have been missed."""
        self._roles, self._complete, self._as_of = {}, False, 0
        self.version += 1
