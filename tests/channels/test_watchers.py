"""What a feed knows of who may watch its project, and when it stops trusting what it knows."""

from __future__ import annotations

import msgspec

from channels.watchers import MemberChange, Watchers, member_change
from domain.enums import ProjectRole
from domain.events import MemberRemoved, MemberUpdated
from domain.views import MemberView

OWNER = ProjectRole.OWNER
EDITOR = ProjectRole.EDITOR
VIEWER = ProjectRole.VIEWER


def loaded(seq: int = 10) -> Watchers:
    watchers = Watchers()
    watchers.load({"olivia": OWNER, "eddie": EDITOR}, seq)
    return watchers


def test_a_hello_tells_who_may_watch_and_that_nobody_else_may():
    watchers = loaded()

    assert [(watchers.knows(u), watchers.role_of(u)) for u in ("eddie", "sam")] == [
        (True, EDITOR),
        (True, None),
    ]


def test_nothing_is_known_before_a_hello_or_a_check():
    assert Watchers().knows("olivia") is False


def test_a_later_member_event_changes_a_role():
    watchers = loaded(seq=10)

    watchers.apply(MemberChange("eddie", VIEWER), seq=11)

    assert watchers.role_of("eddie") == VIEWER


def test_a_removal_takes_the_access_away():
    watchers = loaded(seq=10)

    watchers.apply(MemberChange("eddie", None), seq=11)

    assert (watchers.knows("eddie"), watchers.role_of("eddie")) == (True, None)


def test_an_event_the_hello_already_includes_changes_nothing():
    watchers = loaded(seq=10)

    watchers.apply(MemberChange("eddie", None), seq=9)

    assert watchers.role_of("eddie") == EDITOR


def test_a_check_is_remembered_when_nothing_changed_meanwhile():
    watchers = Watchers()
    version = watchers.version

    watchers.learn("vera", VIEWER, version)

    assert watchers.role_of("vera") == VIEWER


def test_a_check_that_a_member_event_overtook_is_not_remembered():
    watchers = Watchers()
    version = watchers.version
    watchers.apply(MemberChange("vera", None), seq=5)

    watchers.learn("vera", VIEWER, version)

    assert watchers.knows("vera") is False


def test_lost_history_forgets_everything():
    watchers = loaded()

    watchers.forget()

    assert watchers.knows("eddie") is False


def test_member_events_are_read_from_stored_frames():
    updated = MemberUpdated(
        member=MemberView(user_id="eddie", role=EDITOR, added_at="2026-01-15T12:00:00.000Z")
    )
    frames = [
        b'{"seq":3,' + _encoded(updated)[1:],
        b'{"seq":4,' + _encoded(MemberRemoved(user_id="eddie"))[1:],
        b'{"seq":5,"type":"project.updated","project":{}}',
    ]

    assert [member_change(frame) for frame in frames] == [
        MemberChange("eddie", EDITOR),
        MemberChange("eddie", None),
        None,
    ]


def _encoded(event: MemberUpdated | MemberRemoved) -> bytes:
    return msgspec.json.encode(event)
