"""Messages (seed: messages.*): prompts that cost a credit, plain messages, updates, attachments."""

from __future__ import annotations

import pytest

from db.tables import AgentRunTable, MessageTable


async def test_a_prompt_is_a_complete_user_result_message(api):
    project = await api.project()

    response = await api.call(
        "alice", "POST", f"/api/projects/{project['id']}/messages", {"value": "Add dark mode"}
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["content"], body["role"], body["type"], body["status"]) == (
        "Add dark mode",
        "USER",
        "RESULT",
        "COMPLETE",
    )


async def test_a_prompt_spends_a_credit_and_enqueues_a_run(api):
    project = await api.project()

    await api.ok("alice", "POST", f"/api/projects/{project['id']}/messages", {"value": "Add dark mode"})

    assert (await api.ok("alice", "GET", "/api/usage"))["creditsRemaining"] == 3
    runs = await AgentRunTable.select(AgentRunTable.value, AgentRunTable.status).order_by(AgentRunTable.id)
    assert [(r["value"], r["status"]) for r in runs] == [
        ("Build a to-do list app with a clean, minimal design", "PENDING"),
        ("Add dark mode", "PENDING"),
    ]


@pytest.mark.parametrize(
    ("value", "status"), [("", 400), ("a", 201), ("a" * 10_000, 201), ("a" * 10_001, 400)]
)
async def test_prompt_length_limits(api, value, status):
    project = await api.project()

    response = await api.call("alice", "POST", f"/api/projects/{project['id']}/messages", {"value": value})

    assert response.status_code == status


async def test_a_prompt_without_credits_is_429_and_writes_nothing(api):
    project = await api.project()
    for _ in range(4):
        await api.ok("alice", "POST", f"/api/projects/{project['id']}/messages", {"value": "more"})

    response = await api.call("alice", "POST", f"/api/projects/{project['id']}/messages", {"value": "more"})

    assert response.status_code == 429
    assert "retry-after" in response.headers
    assert await MessageTable.count() == 5


async def test_attachments_come_back_with_their_message(api):
    project = await api.project()
    attachment = {"url": "https://img.example/a.png", "size": 2048, "width": 640, "height": 480}

    await api.ok(
        "alice",
        "POST",
        f"/api/projects/{project['id']}/messages",
        {"value": "Like this", "attachments": [attachment]},
    )

    listed = (await api.messages("alice", project["id"]))[1]["attachments"]
    assert [(a["url"], a["size"], a["width"], a["height"], a["type"]) for a in listed] == [
        ("https://img.example/a.png", 2048, 640, 480, "IMAGE")
    ]


async def test_an_attachment_pointing_at_someone_elses_import_is_refused(api):
    theirs = await api.project("bob")
    record = await api.ok(
        "bob",
        "POST",
        f"/api/projects/{theirs['id']}/imports",
        {"source": "GITHUB", "sourceId": "1", "sourceName": "b/r", "sourceUrl": "https://github.com/b/r"},
    )
    mine = await api.project()
    attachment = {"url": "https://github.com/b/r", "size": 0, "type": "GITHUB_REPO", "importId": record["id"]}

    response = await api.call(
        "alice",
        "POST",
        f"/api/projects/{mine['id']}/messages",
        {"value": "use it", "attachments": [attachment]},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "attachments[0].importId"


async def test_a_plain_message_is_stored_as_given_without_a_credit(api):
    project = await api.project()

    message = await api.assistant_message("alice", project["id"], "Working on it")

    assert (message["role"], message["type"], message["status"]) == ("ASSISTANT", "RESULT", "COMPLETE")
    assert (await api.ok("alice", "GET", "/api/usage"))["creditsRemaining"] == 4
    assert await AgentRunTable.count() == 1


async def test_messages_are_listed_oldest_first_page_by_page(api):
    project = await api.project()
    for text in ("two", "three"):
        await api.assistant_message("alice", project["id"], text)

    first = await api.ok("alice", "GET", f"/api/projects/{project['id']}/messages?limit=2")
    second = await api.ok(
        "alice", "GET", f"/api/projects/{project['id']}/messages?limit=2&cursor={first['nextCursor']}"
    )

    assert [m["content"] for m in first["items"] + second["items"]] == [
        "Build a to-do list app with a clean, minimal design",
        "two",
        "three",
    ]
    assert second["nextCursor"] is None


async def test_update_changes_content_and_status(api):
    project = await api.project()
    message = await api.ok(
        "alice",
        "POST",
        f"/api/projects/{project['id']}/messages",
        {"content": "", "role": "ASSISTANT", "type": "STREAMING", "status": "STREAMING"},
    )

    updated = await api.ok(
        "alice", "PATCH", f"/api/messages/{message['id']}", {"content": "Done.", "status": "COMPLETE"}
    )

    assert (updated["content"], updated["status"], updated["type"]) == ("Done.", "COMPLETE", "STREAMING")


async def test_update_of_status_alone_keeps_the_content(api):
    project = await api.project()
    message = await api.first_message("alice", project["id"])

    updated = await api.ok("alice", "PATCH", f"/api/messages/{message['id']}", {"status": "PENDING"})

    assert (updated["content"], updated["status"]) == (message["content"], "PENDING")


async def test_a_fragment_is_created_then_replaced_on_its_message(api):
    project = await api.project()
    message = await api.assistant_message("alice", project["id"])
    created = await api.fragment("alice", message["id"], "First")

    replaced = await api.fragment("alice", message["id"], "Second", {"index.html": "<p>2</p>"})

    assert replaced["id"] == created["id"]
    assert (replaced["title"], replaced["files"]) == ("Second", {"index.html": "<p>2</p>"})
    listed = await api.messages("alice", project["id"])
    assert listed[1]["fragment"]["title"] == "Second"


@pytest.mark.parametrize(
    "path", ["../escape.txt", "/etc/passwd", "a/./b", "dir/", "a" * 256, "src/" + "é" * 200, "a\x01b"]
)
async def test_a_fragment_with_an_unsafe_path_is_refused(api, path):
    project = await api.project()
    message = await api.assistant_message("alice", project["id"])

    response = await api.call(
        "alice",
        "PUT",
        f"/api/messages/{message['id']}/fragment",
        {"sandboxUrl": "https://x", "title": "t", "files": {path: "x"}, "framework": "REACT"},
    )

    assert response.status_code == 400
    assert (await api.messages("alice", project["id"]))[-1]["fragment"] is None


async def test_an_attachment_is_added_to_a_message(api):
    project = await api.project()
    message = await api.first_message("alice", project["id"])

    response = await api.call(
        "alice",
        "POST",
        f"/api/messages/{message['id']}/attachments",
        {
            "type": "FIGMA_FILE",
            "url": "https://figma.com/file/abc",
            "size": 0,
            "sourceMetadata": {"key": "abc"},
        },
    )

    assert response.status_code == 201
    assert (await api.first_message("alice", project["id"]))["attachments"][0]["sourceMetadata"] == {
        "key": "abc"
    }


async def test_an_unknown_attachment_type_is_refused(api):
    project = await api.project()
    message = await api.first_message("alice", project["id"])

    response = await api.call(
        "alice",
        "POST",
        f"/api/messages/{message['id']}/attachments",
        {"type": "PDF", "url": "https://x", "size": 1},
    )

    assert response.status_code == 400
