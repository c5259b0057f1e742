"""Ids are UUIDv7: unique and sorted by creation."""

from __future__ import annotations

from domain.ids import new_id


def test_ids_are_version_7():
    assert new_id().version == 7


def test_ids_sort_in_creation_order_and_never_repeat():
    ids = [new_id() for _ in range(10_000)]

    assert sorted(ids) == ids
    assert len(set(ids)) == len(ids)
