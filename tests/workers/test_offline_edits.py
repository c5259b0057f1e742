"""The changes the offline demo model makes to the apps it built, with editFile, end to end: the
new version shows them; a change to files it does not recognise is declined and costs nothing."""

from __future__ import annotations

import pytest

from tests.api import Api
from tests.workers.test_agent_end_to_end import _until_run_ends
from tests.ws import open_tab


async def follow_up(api: Api, base_url: str, framework: str, request: str):
    """A to-do app built by the offline model, then `request` as a follow-up."""
    project = await api.ok("alice", "POST", "/api/projects", {"name": "Todo", "framework": framework})
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")
    await api.ok("alice", "POST", f"/api/projects/{project['id']}/messages", {"value": "a to-do list app"})
    await _until_run_ends(tab)
    tab.frames.clear()
    await api.ok("alice", "POST", f"/api/projects/{project['id']}/messages", {"value": request})
    end = await _until_run_ends(tab)
    fragments = [f["fragment"] for f in tab.frames if f["type"] == "fragment.updated"]
    edits = [f for f in tab.frames if f["type"] == "file.written"]
    await tab.close()
    return end, fragments, edits


@pytest.mark.parametrize("framework", ["NEXTJS", "REACT", "VUE"])
async def test_a_new_accent_colour_is_edited_into_the_stylesheets(
    api: Api, base_url: str, framework: str
) -> None:
    end, fragments, _ = await follow_up(api, base_url, framework, "change the accent colour to green")

    files = fragments[-1]["files"]
    assert end["run"]["status"] == "COMPLETED"
    assert fragments[-1]["title"] == "Accent colour green"
    assert "--accent: #15803d;" in files["index.html"]
    styles = [p for p in ("app/globals.css", "src/styles.css") if p in files]
    assert all("--accent: #15803d;" in files[p] for p in styles) and styles


async def test_a_dark_mode_toggle_is_added(api: Api, base_url: str) -> None:
    _, fragments, _ = await follow_up(api, base_url, "REACT", "add a dark mode toggle")

    page = fragments[-1]["files"]["index.html"]
    assert ':root[data-theme="dark"]' in page
    assert 'toggle.className = "theme-toggle"' in page
    assert fragments[-1]["title"] == "Dark-mode toggle"


async def test_the_app_is_renamed_wherever_it_shows_its_title(api: Api, base_url: str) -> None:
    _, fragments, _ = await follow_up(api, base_url, "NEXTJS", 'rename the title to "Shopping list"')

    files = fragments[-1]["files"]
    assert "<title>Shopping list</title>" in files["index.html"]
    assert '"Shopping list"' in files["app/layout.tsx"]
    assert "To-do list" not in files["app/layout.tsx"]


async def test_a_change_to_files_it_no_longer_recognises_is_declined_for_free(
    api: Api, base_url: str
) -> None:
    project = await api.ok("alice", "POST", "/api/projects", {"name": "Mine", "framework": "REACT"})
    draft = await api.ok("alice", "GET", f"/api/projects/{project['id']}/draft")
    mine = {"index.html": "<h1>My own page</h1>", "src/App.jsx": "export default () => null;"}
    await api.ok(
        "alice", "PUT", f"/api/projects/{project['id']}/draft", {"files": mine, "version": draft["version"]}
    )
    credits = (await api.ok("alice", "GET", "/api/usage"))["creditsRemaining"]
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")

    await api.ok("alice", "POST", f"/api/projects/{project['id']}/messages", {"value": "make it green"})
    end = await _until_run_ends(tab)

    assert end["run"]["status"] == "COMPLETED"
    assert not [f for f in tab.frames if f["type"] == "fragment.updated"]
    assert (await api.ok("alice", "GET", "/api/usage"))["creditsRemaining"] == credits
    await tab.close()


@pytest.mark.parametrize("framework", ["NEXTJS", "REACT", "VUE", "SVELTE", "ANGULAR"])
async def test_a_due_date_is_added_to_the_to_do_items(api: Api, base_url: str, framework: str) -> None:
    end, fragments, _ = await follow_up(api, base_url, framework, "add a due date to the to-do items")

    files = fragments[-1]["files"]
    assert end["run"]["status"] == "COMPLETED"
    assert fragments[-1]["title"] == "Due dates on to-dos"
    assert 'id="new-due"' in "".join(files.values()) or '"new-due"' in files["index.html"]
    edited = [path for path, content in files.items() if "due:" in content and "new-due" in content]
    assert "index.html" in edited  # the preview's page
    assert len(edited) >= 2  # and the framework's own component


async def test_a_prompt_too_short_to_mean_anything_is_answered_for_free(api: Api, base_url: str) -> None:
    project = await api.ok("alice", "POST", "/api/projects", {"name": "Short", "framework": "REACT"})
    credits = (await api.ok("alice", "GET", "/api/usage"))["creditsRemaining"]
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")

    await api.ok("alice", "POST", f"/api/projects/{project['id']}/messages", {"value": "k"})
    end = await _until_run_ends(tab)

    reply = next(f for f in tab.frames if f["type"] == "message.completed")["message"]
    assert end["run"]["status"] == "COMPLETED"
    assert "too short" in reply["content"]
    assert not [f for f in tab.frames if f["type"] == "fragment.updated"]
    assert (await api.ok("alice", "GET", "/api/usage"))["creditsRemaining"] == credits
    await tab.close()
