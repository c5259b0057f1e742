"""The shared code of a project (API.md, "WebSocket: the shared code of a project"): y-websocket
clients editing one document, the draft following it, and roles."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from websockets.exceptions import ConnectionClosed

from channels.close_codes import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, CLOSE_POLICY_VIOLATION, CLOSE_UNAUTHORIZED
from tests.yclient import open_doc

PAGE = "app/page.tsx"


@pytest.fixture
async def project(api):
    return await api.ok("olivia", "POST", "/api/projects", {"name": "Shared code"})


async def draft_files(api, project, user="olivia"):
    return (await api.ok(user, "GET", f"/api/projects/{project['id']}/draft"))["files"]


async def eventually_draft(api, project, expected, seconds=5.0):
    async with asyncio.timeout(seconds):
        while (files := await draft_files(api, project)) != expected:  # noqa: ASYNC110 - polls a route
            await asyncio.sleep(0.05)
    return files


async def test_two_clients_see_each_others_edits(base_url, project):
    first, second = (
        await open_doc(base_url, project["id"], "olivia"),
        await open_doc(base_url, project["id"], "olivia"),
    )
    await first.synced()
    await second.synced()

    first.type_at(PAGE, 0, "export default 1;\n")
    await first.ack()
    await second.ack()  # the server sent it the edit before this answer
    second.type_at(PAGE, 0, "// hi\n")
    await second.ack()
    await first.ack()

    assert first.contents() == second.contents() == {PAGE: "// hi\nexport default 1;\n"}
    await first.close()
    await second.close()


async def test_the_draft_follows_the_document(api, base_url, project):
    client = await open_doc(base_url, project["id"], "olivia")
    await client.synced()

    client.type_at(PAGE, 0, "export default 2;\n")
    await client.ack()

    assert await eventually_draft(api, project, {PAGE: "export default 2;\n"})
    await client.close()


async def test_a_newcomer_gets_the_stored_document(base_url, project):
    writer = await open_doc(base_url, project["id"], "olivia")
    await writer.synced()
    writer.type_at(PAGE, 0, "stored")
    await writer.ack()
    await writer.close()

    reader = await open_doc(base_url, project["id"], "olivia")
    await reader.synced()

    assert reader.contents() == {PAGE: "stored"}
    await reader.close()


async def test_a_draft_put_edits_the_document_and_keeps_concurrent_typing_elsewhere(api, base_url, project):
    client = await open_doc(base_url, project["id"], "olivia")
    await client.synced()
    client.type_at(PAGE, 0, "function a() {}\nfunction b() {}\n")
    await client.ack()
    draft = await eventually_draft(api, project, {PAGE: "function a() {}\nfunction b() {}\n"})
    version = (await api.ok("olivia", "GET", f"/api/projects/{project['id']}/draft"))["version"]

    client.type_at(PAGE, len("function a() {}\nfunction b() {"), " B ")
    await api.ok(
        "olivia",
        "PUT",
        f"/api/projects/{project['id']}/draft",
        {"files": {PAGE: draft[PAGE].replace("a() {}", "a() { A }")}, "version": version},
    )
    await client.ack()

    expected = "function a() { A }\nfunction b() { B }\n"
    assert client.text(PAGE) == expected
    assert await eventually_draft(api, project, {PAGE: expected})
    await client.close()


async def test_a_viewers_update_is_refused_and_not_applied(api, base_url, project):
    await api.share("olivia", project["id"], "vera", "VIEWER")
    viewer = await open_doc(base_url, project["id"], "vera")
    await viewer.synced()

    viewer.type_at(PAGE, 0, "not allowed")
    await viewer.ack()

    assert viewer.denied and "view" in viewer.denied[0]
    await viewer.close()
    again = await open_doc(base_url, project["id"], "vera")  # a refused client starts over
    await again.synced()
    assert again.contents() == {}
    assert await draft_files(api, project) == {}
    await again.close()


async def test_without_a_token_the_channel_closes_with_4401(base_url, project):
    client = await open_doc(base_url, project["id"], token=None)

    assert await client.closed_with() == CLOSE_UNAUTHORIZED


async def test_a_stranger_is_closed_with_4404(base_url, project):
    client = await open_doc(base_url, project["id"], "stranger")

    assert await client.closed_with() == CLOSE_NOT_FOUND


async def test_a_removed_member_is_closed_with_4403(api, base_url, project):
    await api.share("olivia", project["id"], "eddie", "EDITOR")
    client = await open_doc(base_url, project["id"], "eddie")
    await client.synced()

    await api.ok("olivia", "DELETE", f"/api/projects/{project['id']}/members/eddie")

    assert await client.closed_with() == CLOSE_FORBIDDEN


async def test_a_malformed_update_closes_with_1008_and_stores_nothing(api, base_url, project):
    client = await open_doc(base_url, project["id"], "olivia")
    await client.synced()

    await client.connection.send(bytes([0, 2, 3, 1, 2, 3]))

    assert await client.closed_with() == CLOSE_POLICY_VIOLATION
    assert await draft_files(api, project) == {}


async def test_restoring_a_fragment_writes_its_files_into_the_document(api, base_url):
    project = await api.project("olivia")
    message = await api.assistant_message("olivia", project["id"], "v1")
    fragment = await api.fragment("olivia", message["id"], "One", files={PAGE: "restored page\n"})
    client = await open_doc(base_url, project["id"], "olivia")
    await client.synced()
    client.type_at(PAGE, 0, "typed later\n")
    await client.ack()

    await api.ok("olivia", "POST", f"/api/projects/{project['id']}/fragments/{fragment['id']}/restore")
    await client.ack()

    assert client.contents() == {PAGE: "restored page\n"}
    assert await eventually_draft(api, project, {PAGE: "restored page\n"})
    await client.close()


async def test_a_flood_of_messages_is_cut_off_with_1008(base_url, project):
    client = await open_doc(base_url, project["id"], "olivia")
    await client.synced()

    with contextlib.suppress(ConnectionClosed):  # the server may cut it off mid-way
        for _ in range(1000):
            await client.connection.send(b"\x03")  # each asks for everyone's awareness

    assert await client.closed_with() == CLOSE_POLICY_VIOLATION
