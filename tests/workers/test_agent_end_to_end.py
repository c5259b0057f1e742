"""A prompt becomes an app: every tab sees it stream, the database keeps the result."""

from __future__ import annotations

import asyncio
import shutil
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.api import Api
from tests.conftest import FakeClock
from tests.factories import add_draft
from tests.previews import as_previewed
from tests.ws import Frame, TabClient, TextRebuilder, open_tab

TODO_PROMPT = "a to-do list app"


async def _prompted_tab(api: Api, base_url: str, prompt: str = TODO_PROMPT) -> tuple[str, TabClient]:
    """A project with a tab open on it before the prompt is sent, so the tab sees the whole run."""
    project = await api.ok("alice", "POST", "/api/projects", {"name": "Todo", "framework": "REACT"})
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")
    await api.ok("alice", "POST", f"/api/projects/{project['id']}/messages", {"value": prompt})
    return project["id"], tab


async def _until_run_ends(tab: TabClient, timeout: float = 30.0) -> Frame:
    return await tab.until(
        lambda f: f["type"] == "run.updated" and f["run"]["status"] in ("COMPLETED", "FAILED"), timeout
    )


def _reply_id(tab: TabClient) -> str:
    return next(
        f["message"]["id"]
        for f in tab.frames
        if f["type"] == "message.created" and f["message"]["role"] == "ASSISTANT"
    )


async def test_a_tab_sees_the_run_in_seq_order_from_created_to_completed(api: Api, base_url: str) -> None:
    _, tab = await _prompted_tab(api, base_url)
    await _until_run_ends(tab)

    events = tab.sequenced()
    seqs = [f["seq"] for f in events]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    kinds = [f["type"] for f in events]
    assert kinds.index("message.created") < kinds.index("message.delta") < kinds.index("file.written")
    assert kinds.index("file.written") < kinds.index("message.completed") < kinds.index("fragment.updated")
    assert kinds[-1] == "run.updated"


async def test_the_deltas_rebuild_exactly_the_final_text(api: Api, base_url: str) -> None:
    _, tab = await _prompted_tab(api, base_url)
    await _until_run_ends(tab)

    rebuilt = TextRebuilder(_reply_id(tab))
    for frame in tab.frames:
        rebuilt.apply(frame)
    completed = next(f for f in tab.frames if f["type"] == "message.completed")
    assert rebuilt.gaps == []
    assert rebuilt.text == completed["message"]["content"]
    assert "to-do" in rebuilt.text.lower()


async def test_the_run_reports_its_stages_while_running(api: Api, base_url: str) -> None:
    _, tab = await _prompted_tab(api, base_url)
    await _until_run_ends(tab)

    stages = [f["run"]["stage"] for f in tab.frames if f["type"] == "run.updated" and f["run"]["stage"]]
    assert "Reading project files…" in stages
    assert "Generating project files…" in stages


async def test_the_fragment_holds_the_written_files_and_is_stored(api: Api, base_url: str) -> None:
    project_id, tab = await _prompted_tab(api, base_url)
    await _until_run_ends(tab)

    written = {f["path"]: f["content"] for f in tab.frames if f["type"] == "file.written"}
    fragment = next(f for f in tab.frames if f["type"] == "fragment.updated")["fragment"]
    stored = (await api.ok("alice", "GET", f"/api/projects/{project_id}/fragments"))["items"][0]
    assert fragment["files"] == written
    assert stored["id"] == fragment["id"]
    assert "package.json" in stored["files"] and "index.html" in stored["files"]
    assert stored["metadata"]["provider"] == "offline"


async def test_the_preview_url_answers_with_the_apps_entry_page(
    api: Api, base_url: str, client: httpx.AsyncClient
) -> None:
    project_id, tab = await _prompted_tab(api, base_url)
    await _until_run_ends(tab)

    fragment = next(f for f in tab.frames if f["type"] == "fragment.updated")["fragment"]
    # The URL names the configured public address; the test server listens on a port of its own.
    preview = urlsplit(fragment["sandboxUrl"]).path
    assert preview == f"/preview/{project_id}/"
    response = await client.get(preview)
    assert response.status_code == 200
    assert response.text == as_previewed(fragment["files"]["index.html"])
    assert response.headers["content-security-policy"].startswith("sandbox")


async def test_the_reply_is_stored_complete_with_the_streamed_text(api: Api, base_url: str) -> None:
    project_id, tab = await _prompted_tab(api, base_url)
    await _until_run_ends(tab)

    completed = next(f for f in tab.frames if f["type"] == "message.completed")["message"]
    reply = (await api.messages("alice", project_id))[-1]
    assert (reply["role"], reply["type"], reply["status"]) == ("ASSISTANT", "RESULT", "COMPLETE")
    assert reply["content"] == completed["content"]
    assert reply["fragment"]["id"] is not None


async def test_the_first_run_names_the_project(api: Api, base_url: str) -> None:
    created = await api.project("alice", TODO_PROMPT)
    runs_path = f"/api/projects/{created['id']}/runs"
    async with asyncio.timeout(30):
        while (await api.ok("alice", "GET", runs_path))["items"][0]["status"] != "COMPLETED":  # noqa: ASYNC110
            await asyncio.sleep(0.05)

    project = await api.ok("alice", "GET", f"/api/projects/{created['id']}")
    assert created["name"].startswith("Project-")
    assert project["name"] == "To-do List App"


async def test_a_follow_up_in_a_new_sandbox_starts_from_the_first_runs_files(
    api: Api, base_url: str, settings: Any
) -> None:
    project_id, tab = await _prompted_tab(api, base_url)
    await _until_run_ends(tab)
    first = next(f for f in tab.frames if f["type"] == "fragment.updated")["fragment"]
    shutil.rmtree(settings.sandboxes_dir / project_id)  # the sandbox expired
    tab.frames.clear()

    await api.ok("alice", "POST", f"/api/projects/{project_id}/messages", {"value": "make the header blue"})
    await _until_run_ends(tab)

    assert (settings.sandboxes_dir / project_id / "index.html").read_text() == first["files"]["index.html"]


async def test_a_follow_up_the_offline_model_cannot_make_costs_nothing_and_makes_no_version(
    api: Api, base_url: str
) -> None:
    project_id, tab = await _prompted_tab(api, base_url)
    await _until_run_ends(tab)
    credits = (await api.ok("alice", "GET", "/api/usage"))["creditsRemaining"]
    tab.frames.clear()

    await api.ok("alice", "POST", f"/api/projects/{project_id}/messages", {"value": "make the header blue"})
    end = await _until_run_ends(tab)

    reply = next(f for f in tab.frames if f["type"] == "message.completed")["message"]
    assert end["run"]["status"] == "COMPLETED"
    assert "cannot make this change" in reply["content"]
    assert not [f for f in tab.frames if f["type"] == "fragment.updated"]
    assert (await api.ok("alice", "GET", "/api/usage"))["creditsRemaining"] == credits


async def test_a_follow_up_starts_from_the_draft_when_it_changed_after_the_last_run(
    api: Api, base_url: str, settings: Any, clock: FakeClock
) -> None:
    project_id, tab = await _prompted_tab(api, base_url)
    await _until_run_ends(tab)
    clock.advance(timedelta(seconds=1))
    draft = await api.ok("alice", "GET", f"/api/projects/{project_id}/draft")
    edited = {"index.html": "<h1>My own page</h1>", "package.json": '{"name": "mine"}'}
    await api.ok(
        "alice", "PUT", f"/api/projects/{project_id}/draft", {"files": edited, "version": draft["version"]}
    )
    tab.frames.clear()

    await api.ok("alice", "POST", f"/api/projects/{project_id}/messages", {"value": "make the header blue"})
    await _until_run_ends(tab)

    assert (settings.sandboxes_dir / project_id / "index.html").read_text() == edited["index.html"]


async def test_a_draft_stored_with_a_name_no_folder_takes_does_not_fail_the_run(
    api: Api, base_url: str, clock: FakeClock
) -> None:
    project = await api.ok("alice", "POST", "/api/projects", {"name": "Todo", "framework": "REACT"})
    await add_draft(project["id"], clock.now(), {"a" * 300: "x", "notes.md": "kept"})
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")
    clock.advance(timedelta(seconds=1))

    await api.ok("alice", "POST", f"/api/projects/{project['id']}/messages", {"value": TODO_PROMPT})
    end = await _until_run_ends(tab)

    fragment = next(f for f in tab.frames if f["type"] == "fragment.updated")["fragment"]
    assert end["run"]["status"] == "COMPLETED"
    assert fragment["files"]["notes.md"] == "kept"
    assert "a" * 300 not in fragment["files"]


async def test_a_follow_up_after_a_restore_edits_the_restored_app_in_the_same_sandbox(
    api: Api, base_url: str, settings: Any
) -> None:
    project_id, tab = await _prompted_tab(api, base_url)
    await _until_run_ends(tab)
    todo = next(f for f in tab.frames if f["type"] == "fragment.updated")["fragment"]
    tab.frames.clear()
    await api.ok("alice", "POST", f"/api/projects/{project_id}/messages", {"value": "a counter app"})
    await _until_run_ends(tab)
    await api.ok("alice", "POST", f"/api/projects/{project_id}/fragments/{todo['id']}/restore")
    tab.frames.clear()

    await api.ok("alice", "POST", f"/api/projects/{project_id}/messages", {"value": "make the header blue"})
    await _until_run_ends(tab)

    fragment = next(f for f in tab.frames if f["type"] == "fragment.updated")["fragment"]
    assert (settings.sandboxes_dir / project_id / "index.html").read_text() == todo["files"]["index.html"]
    assert fragment["files"]["index.html"] == todo["files"]["index.html"]


async def test_a_restored_fragment_is_what_the_preview_shows(
    api: Api, base_url: str, client: httpx.AsyncClient
) -> None:
    project_id, tab = await _prompted_tab(api, base_url)
    await _until_run_ends(tab)
    todo = next(f for f in tab.frames if f["type"] == "fragment.updated")["fragment"]
    tab.frames.clear()
    await api.ok("alice", "POST", f"/api/projects/{project_id}/messages", {"value": "a counter app"})
    await _until_run_ends(tab)

    await api.ok("alice", "POST", f"/api/projects/{project_id}/fragments/{todo['id']}/restore")

    preview = urlsplit(todo["sandboxUrl"]).path
    async with asyncio.timeout(10):
        while "to-do" not in (page := await client.get(preview)).text.lower():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    assert page.text == as_previewed(todo["files"]["index.html"])


async def test_deleting_a_built_project_ends_its_preview_and_removes_its_sandbox(
    api: Api, base_url: str, client: httpx.AsyncClient, settings: Any
) -> None:
    project_id, tab = await _prompted_tab(api, base_url)
    await _until_run_ends(tab)
    fragment = next(f for f in tab.frames if f["type"] == "fragment.updated")["fragment"]
    preview = urlsplit(fragment["sandboxUrl"]).path
    assert (await client.get(preview)).status_code == 200

    await api.ok("alice", "DELETE", f"/api/projects/{project_id}")

    assert (await client.get(preview)).status_code == 404
    assert (await client.get(f"{preview}package.json")).status_code == 404
    assert not (settings.sandboxes_dir / project_id).exists()
