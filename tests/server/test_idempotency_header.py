"""`Idempotency-Key` on the two prompt routes (API.md, Conventions), on both deployments."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from db.stores.idempotency import PiccoloIdempotencyStore
from db.tables import IdempotencyKeyTable
from domain.idempotency import RequestKey
from domain.ids import UserId
from domain.rules.idempotency import RESERVATION_LEASE, reservation
from server.errors import PROBLEM_TYPE_BASE
from server.idempotency import fingerprint
from tests.api import PROMPT
from tests.conftest import ADMIN

KEY = "retry-3f9c2a"
PROJECTS = "/api/projects"
BODY = {"message": PROMPT}


async def post(api, path: str, body: dict[str, Any], key: str | bytes = KEY, user: str = "alice"):
    return await api.call(user, "POST", path, body, headers={"Idempotency-Key": key})


async def credits_remaining(api, user: str = "alice") -> int:
    return (await api.ok(user, "GET", "/api/usage"))["creditsRemaining"]


async def reserve(clock, route: str, path_params: dict[str, Any], body: dict[str, Any]) -> None:
    """Alice's KEY held by a request of another process, as if it were running right now."""
    request = RequestKey(key=KEY, fingerprint=fingerprint(route, path_params, json.dumps(body).encode()))
    await PiccoloIdempotencyStore().insert(reservation(UserId("alice"), request, uuid4(), clock.now()))


async def test_a_repeated_project_request_gets_the_first_status_and_body(api):
    first = await post(api, PROJECTS, BODY)

    again = await post(api, PROJECTS, BODY)

    assert (again.status_code, again.content) == (201, first.content)


async def test_a_repeated_project_request_spends_one_credit_and_makes_one_project(api):
    await post(api, PROJECTS, BODY)

    await post(api, PROJECTS, BODY)

    assert await credits_remaining(api) == 4
    assert len(await api.ok("alice", "GET", PROJECTS)) == 1


async def test_a_repeated_plain_project_request_makes_one_project(api):
    body = {"name": "Notes", "framework": "REACT"}
    first = await post(api, PROJECTS, body)

    again = await post(api, PROJECTS, body)

    assert again.content == first.content
    assert len(await api.ok("alice", "GET", PROJECTS)) == 1


async def test_a_repeated_prompt_gets_the_first_status_and_body(api):
    path = f"{PROJECTS}/{(await api.project())['id']}/messages"
    first = await post(api, path, {"value": "Add dark mode"})

    again = await post(api, path, {"value": "Add dark mode"})

    assert (again.status_code, again.content) == (201, first.content)


async def test_a_repeated_prompt_spends_one_credit_and_adds_one_message(api):
    project = await api.project()
    path = f"{PROJECTS}/{project['id']}/messages"
    await post(api, path, {"value": "Add dark mode"})

    await post(api, path, {"value": "Add dark mode"})

    assert await credits_remaining(api) == 3
    assert len(await api.messages("alice", project["id"])) == 2


async def test_the_same_body_in_another_spacing_and_key_order_is_a_repeat(api):
    body = {"message": PROMPT, "framework": "VUE"}
    first = await post(api, PROJECTS, body)

    again = await api.client.post(
        PROJECTS,
        content=json.dumps(dict(reversed(body.items())), indent=2),
        headers={**api.auth("alice"), "Idempotency-Key": KEY, "Content-Type": "application/json"},
    )

    assert again.content == first.content


async def test_the_same_key_with_a_different_body_is_422_and_changes_nothing(api):
    await post(api, PROJECTS, BODY)

    response = await post(api, PROJECTS, {"message": "A different app entirely"})

    assert response.status_code == 422
    assert response.json()["type"] == PROBLEM_TYPE_BASE + "idempotency-key-reused"
    assert await credits_remaining(api) == 4


async def test_the_same_key_and_body_for_another_project_is_422(api):
    one, other = await api.project(), await api.project()
    await post(api, f"{PROJECTS}/{one['id']}/messages", {"value": "Add dark mode"})

    response = await post(api, f"{PROJECTS}/{other['id']}/messages", {"value": "Add dark mode"})

    assert response.status_code == 422


async def test_a_repeat_while_the_first_project_request_is_in_flight_is_409(api, clock):
    await reserve(clock, "create_project", {}, BODY)

    response = await post(api, PROJECTS, BODY)

    assert (response.status_code, response.json()["type"]) == (409, PROBLEM_TYPE_BASE + "conflict")
    assert await credits_remaining(api) == 5


async def test_a_repeat_while_the_first_prompt_is_in_flight_is_409(api, clock):
    project = await api.project()
    await reserve(clock, "create_message", {"project_id": UUID(project["id"])}, {"value": "Add dark mode"})

    response = await post(api, f"{PROJECTS}/{project['id']}/messages", {"value": "Add dark mode"})

    assert response.status_code == 409
    assert len(await api.messages("alice", project["id"])) == 1


async def test_a_reservation_whose_lease_ended_is_taken_over(api, clock):
    await reserve(clock, "create_project", {}, BODY)
    clock.advance(RESERVATION_LEASE)  # its process died before it committed

    response = await post(api, PROJECTS, BODY)

    assert response.status_code == 201
    assert await credits_remaining(api) == 4


async def test_two_requests_racing_with_one_key_make_one_project(api):
    responses = await asyncio.gather(post(api, PROJECTS, BODY), post(api, PROJECTS, BODY))

    statuses = sorted(r.status_code for r in responses)
    assert statuses in ([201, 201], [201, 409])
    if statuses == [201, 201]:
        assert responses[0].content == responses[1].content
    assert await credits_remaining(api) == 4


async def test_a_refused_first_answer_is_given_again_though_credits_came_back(api):
    for _ in range(5):
        await api.project()
    first = await post(api, PROJECTS, BODY)
    await api.ok(ADMIN, "POST", "/api/admin/usage/alice/reset")

    again = await post(api, PROJECTS, BODY)

    assert (first.status_code, again.status_code, again.content) == (429, 429, first.content)
    assert again.headers["content-type"] == "application/problem+json"
    assert await credits_remaining(api) == 5


async def test_a_refusal_for_a_role_is_given_again_as_one(api):
    project = await api.ok("alice", "POST", PROJECTS, {"name": "Shared"})
    await api.share("alice", project["id"], "vera", "VIEWER")
    path = f"{PROJECTS}/{project['id']}/messages"
    first = await post(api, path, {"value": "Add a footer"}, user="vera")

    again = await post(api, path, {"value": "Add a footer"}, user="vera")

    assert (first.status_code, again.status_code, again.content) == (403, 403, first.content)
    assert again.json()["type"] == PROBLEM_TYPE_BASE + "role-required"


async def test_keys_are_per_user(api):
    alice = await post(api, PROJECTS, BODY, user="alice")

    bob = await post(api, PROJECTS, BODY, user="bob")

    assert bob.status_code == 201
    assert bob.json()["id"] != alice.json()["id"]


async def test_a_key_is_new_again_after_24_hours(api, clock):
    await post(api, PROJECTS, BODY)
    clock.advance(timedelta(hours=24))

    response = await post(api, PROJECTS, {"message": "A different app entirely"})

    assert response.status_code == 201


async def test_keys_older_than_24_hours_are_swept(api, clock):
    await post(api, PROJECTS, BODY, key="old")
    clock.advance(timedelta(hours=24, minutes=10))

    await post(api, PROJECTS, BODY, key="new")

    assert [row["key"] for row in await IdempotencyKeyTable.select(IdempotencyKeyTable.key)] == ["new"]


async def test_without_a_key_every_request_runs(api):
    await api.call("alice", "POST", PROJECTS, BODY)

    await api.call("alice", "POST", PROJECTS, BODY)

    assert len(await api.ok("alice", "GET", PROJECTS)) == 2


async def test_a_key_of_255_visible_characters_is_accepted(api):
    response = await post(api, PROJECTS, BODY, key="~" + "x" * 253 + "!")

    assert response.status_code == 201


@pytest.mark.parametrize(
    "key",
    ["", "two words", "x" * 256, "tab\there", "clé".encode("latin-1")],
    ids=["empty", "space", "too-long", "control", "non-ascii"],
)
async def test_a_malformed_key_is_400_naming_the_header_and_changes_nothing(api, key):
    response = await post(api, PROJECTS, BODY, key=key)

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "Idempotency-Key",
            "message": "must be 1 to 255 visible ASCII characters",
            "source": "header",
        }
    ]
    assert await credits_remaining(api) == 5
