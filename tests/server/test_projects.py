"""`/api/projects` as the seeds specify it, on both deployments."""

from __future__ import annotations

from datetime import timedelta

import pytest

from db.tables import (
    TABLES,
    AgentRunTable,
    CreditSpendTable,
    IdempotencyKeyTable,
    MessageTable,
    OAuthConnectionTable,
    PolarCustomerTable,
    ProfileTable,
    ProjectEventTable,
    ProjectStreamTable,
    ProjectTable,
    RateLimitWindowTable,
    SubscriptionTable,
    UsageTable,
    WebhookDeliveryTable,
)
from domain.views import iso_ms
from tests.conftest import PRO_PRODUCT
from tests.factories import add_attachment, add_checkpoint, add_draft, add_fragment, add_import, subscribe

PROMPT = "Build a to-do list app with a clean, minimal design"
NOT_PROJECT_OWNED = (
    ProjectTable,
    UsageTable,
    SubscriptionTable,
    OAuthConnectionTable,
    RateLimitWindowTable,
    WebhookDeliveryTable,
    PolarCustomerTable,
    # The event log outlives a project until the broker has its last events (tests/channels).
    ProjectStreamTable,
    ProjectEventTable,
    IdempotencyKeyTable,  # a user's keys outlive the project: a retry still gets its first answer
    CreditSpendTable,  # a credit spent stays spent when its project goes
    ProfileTable,  # a person's, not a project's
)


async def create(client, headers, **body):
    return await client.post("/api/projects", json={"message": PROMPT, **body}, headers=headers)


async def test_create_answers_with_the_project_of_the_rest_reference(client, auth, clock):
    response = await create(client, auth("user_abc123"))

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": f"Project-{int(clock.now().timestamp() * 1000)}",
        "userId": "user_abc123",
        "framework": "NEXTJS",
        "modelPreference": None,
        "sandboxId": None,
        "imageUrl": None,
        "createdAt": iso_ms(clock.now()),
        "updatedAt": iso_ms(clock.now()),
    }


@pytest.mark.parametrize(("length", "status"), [(2, 400), (3, 201), (1000, 201), (1001, 400)])
async def test_message_length_limits(client, auth, length, status):
    response = await client.post("/api/projects", json={"message": "a" * length}, headers=auth("alice"))

    assert response.status_code == status


async def test_too_short_message_names_the_field(client, auth):
    response = await client.post("/api/projects", json={"message": "ab"}, headers=auth("alice"))

    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": "message", "message": "must be at least 3 characters", "source": "body"}
    ]


async def test_whitespace_only_message_is_refused(client, auth):
    response = await client.post("/api/projects", json={"message": "     "}, headers=auth("alice"))

    assert response.status_code == 400


async def test_refused_message_writes_nothing(client, auth):
    await client.post("/api/projects", json={"message": "a" * 1001}, headers=auth("alice"))

    assert await ProjectTable.count() == 0
    assert await UsageTable.count() == 0


async def test_create_stores_the_prompt_as_the_first_user_message(client, auth):
    project = (await create(client, auth("alice"))).json()

    messages = (await client.get(f"/api/projects/{project['id']}/messages", headers=auth("alice"))).json()

    assert [(m["content"], m["role"], m["type"], m["status"]) for m in messages["items"]] == [
        (PROMPT, "USER", "RESULT", "COMPLETE")
    ]


async def test_create_enqueues_a_pending_server_run_for_the_prompt(client, auth):
    project = (await create(client, auth("alice"), framework="VUE", model="claude-haiku-5-5")).json()

    runs = await AgentRunTable.select().where(AgentRunTable.project_id == project["id"])

    assert [(r["status"], r["source"], r["value"], r["framework"], r["model"]) for r in runs] == [
        ("PENDING", "SERVER", PROMPT, "VUE", "claude-haiku-5-5")
    ]


async def test_plain_create_spends_no_credit_and_starts_no_run(client, auth):
    response = await client.post(
        "/api/projects", json={"name": "Landing page", "framework": "SVELTE"}, headers=auth("alice")
    )

    assert (response.status_code, response.json()["name"], response.json()["framework"]) == (
        201,
        "Landing page",
        "SVELTE",
    )
    assert await AgentRunTable.count() == 0
    assert (await client.get("/api/usage", headers=auth("alice"))).json()["creditsRemaining"] == 5


async def test_create_without_message_or_name_is_refused(client, auth):
    response = await client.post("/api/projects", json={}, headers=auth("alice"))

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "message"


async def test_unknown_framework_is_refused(client, auth):
    response = await create(client, auth("alice"), framework="COBOL")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "framework"


async def test_image_url_without_pro_is_forbidden_and_writes_nothing(client, auth):
    response = await create(client, auth("alice"), imageUrl="https://img.example/design.png")

    assert response.status_code == 403
    assert response.json()["status"] == 403
    assert await ProjectTable.count() == 0
    assert (await client.get("/api/usage", headers=auth("alice"))).json()["creditsRemaining"] == 5


async def test_image_url_without_pro_is_refused_as_a_plan_limit(client, auth):
    response = await create(client, auth("alice"), imageUrl="https://img.example/design.png")

    assert response.headers["content-type"] == "application/problem+json"
    assert (response.json()["type"], response.json()["title"]) == (
        "https://forgeai.dev/problems/plan-required",
        "Not allowed on your plan",
    )


async def test_image_url_with_pro_is_kept_on_the_project(client, auth, clock):
    await subscribe("alice", PRO_PRODUCT, clock.now())

    response = await create(client, auth("alice"), imageUrl="https://img.example/design.png")

    assert response.status_code == 201
    assert response.json()["imageUrl"] == "https://img.example/design.png"


async def test_sixth_creation_within_a_day_on_free_is_refused_with_its_reset(client, auth, clock):
    for _ in range(5):
        assert (await create(client, auth("alice"))).status_code == 201
        clock.advance(timedelta(minutes=1))

    response = await create(client, auth("alice"))

    assert response.status_code == 429
    resets_at = clock.now() - timedelta(minutes=5) + timedelta(hours=24)
    assert response.json()["resetsAt"] == iso_ms(resets_at)
    assert response.headers["retry-after"] == str(int((resets_at - clock.now()).total_seconds()))
    assert await ProjectTable.count() == 5


async def test_credits_come_back_when_the_window_ends(client, auth, clock):
    for _ in range(5):
        await create(client, auth("alice"))
    clock.advance(timedelta(hours=24))

    response = await create(client, auth("alice"))

    assert response.status_code == 201


async def test_credits_are_per_user(client, auth):
    for _ in range(5):
        await create(client, auth("alice"))

    response = await create(client, auth("bob"))

    assert response.status_code == 201


async def test_concurrent_creations_never_overspend(client, auth):
    import asyncio

    responses = await asyncio.gather(*(create(client, auth("alice")) for _ in range(8)))

    assert sorted(r.status_code for r in responses) == [201] * 5 + [429] * 3
    assert await ProjectTable.count() == 5


async def test_list_is_ordered_by_most_recent_update(client, auth, clock):
    first = (await create(client, auth("alice"))).json()
    clock.advance(timedelta(seconds=1))
    second = (await create(client, auth("alice"))).json()
    clock.advance(timedelta(seconds=1))
    await client.patch(f"/api/projects/{first['id']}", json={"name": "Renamed"}, headers=auth("alice"))

    listed = (await client.get("/api/projects", headers=auth("alice"))).json()

    assert [p["id"] for p in listed] == [first["id"], second["id"]]


async def test_list_holds_only_the_callers_projects(client, auth):
    await create(client, auth("alice"))

    response = await client.get("/api/projects", headers=auth("bob"))

    assert (response.status_code, response.json()) == (200, [])


async def test_get_answers_with_the_latest_fragment_summary(client, auth):
    project = (await create(client, auth("alice"))).json()

    response = await client.get(f"/api/projects/{project['id']}", headers=auth("alice"))

    assert response.json() == {**project, "role": "OWNER", "latestFragment": None}


async def test_update_changes_only_the_given_fields(client, auth, clock):
    project = (await create(client, auth("alice"))).json()
    clock.advance(timedelta(seconds=5))

    response = await client.patch(
        f"/api/projects/{project['id']}",
        json={"framework": "REACT", "modelPreference": "claude-haiku-5-5"},
        headers=auth("alice"),
    )

    assert response.json() == {
        **project,
        "framework": "REACT",
        "modelPreference": "claude-haiku-5-5",
        "updatedAt": iso_ms(clock.now()),
    }


async def test_update_refuses_an_empty_name(client, auth):
    project = (await create(client, auth("alice"))).json()

    response = await client.patch(f"/api/projects/{project['id']}", json={"name": " "}, headers=auth("alice"))

    assert response.status_code == 400
    assert (await client.get(f"/api/projects/{project['id']}", headers=auth("alice"))).json()["name"] == (
        project["name"]
    )


async def test_delete_answers_success(client, auth):
    project = (await create(client, auth("alice"))).json()

    response = await client.delete(f"/api/projects/{project['id']}", headers=auth("alice"))

    assert (response.status_code, response.json()) == (200, {"success": True})
    assert (await client.get(f"/api/projects/{project['id']}", headers=auth("alice"))).status_code == 404


async def test_delete_cascades_to_everything_of_the_project(client, auth, clock):
    project = (await create(client, auth("alice"))).json()
    kept = (await create(client, auth("alice"))).json()
    message_id = str(
        (await MessageTable.select(MessageTable.id).where(MessageTable.project_id == project["id"]))[0]["id"]
    )
    await add_fragment(project["id"], message_id, clock.now())
    await add_attachment(message_id, clock.now())
    await add_draft(project["id"], clock.now())
    draft = (await client.get(f"/api/projects/{project['id']}/draft", headers=auth("alice"))).json()
    body = {"files": {"index.html": "<h1>Kept in the shared code</h1>"}, "version": draft["version"]}
    await client.put(f"/api/projects/{project['id']}/draft", json=body, headers=auth("alice"))
    await add_import("alice", project["id"], clock.now())
    run = (
        await AgentRunTable.select(AgentRunTable.id).where(AgentRunTable.project_id == project["id"]).first()
    )
    await add_checkpoint(str(run["id"]), clock.now())
    invitation = await client.post(
        f"/api/projects/{project['id']}/invitations", json={"role": "EDITOR"}, headers=auth("alice")
    )
    await client.post(
        "/api/invitations/accept", json={"token": invitation.json()["token"]}, headers=auth("bob")
    )

    await client.delete(f"/api/projects/{project['id']}", headers=auth("alice"))

    orphans = {t._meta.tablename: await t.count() for t in TABLES if t not in NOT_PROJECT_OWNED}
    assert orphans == {
        "messages": 1,
        "fragments": 0,
        "imports": 0,
        "attachments": 0,
        "fragment_drafts": 0,
        "agent_runs": 1,
        "run_checkpoints": 0,
        "project_members": 0,
        "invitations": 0,
        "doc_updates": 0,
    }
    assert [str(r["id"]) for r in await ProjectTable.select(ProjectTable.id)] == [kept["id"]]


async def test_delete_of_a_missing_project_is_404(client, auth):
    response = await client.delete(
        "/api/projects/01a20300-0000-7000-8000-000000000000", headers=auth("alice")
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PATCH", "", {"name": "Mine now"}),
        ("DELETE", "", None),
        ("GET", "/messages", None),
    ],
)
async def test_another_users_project_is_not_found_and_untouched(client, auth, method, suffix, body):
    project = (await create(client, auth("alice"))).json()

    response = await client.request(
        method, f"/api/projects/{project['id']}{suffix}", json=body, headers=auth("mallory")
    )

    assert response.status_code == 404
    assert (await client.get(f"/api/projects/{project['id']}", headers=auth("alice"))).json() == {
        **project,
        "role": "OWNER",
        "latestFragment": None,
    }
    assert await MessageTable.count() == 1
