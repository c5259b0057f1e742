"""`/preview/{projectId}/`: a local sandbox's files, and only those, on both deployments."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from forge.settings import Settings
from server.controllers.preview import PREVIEW_POLICY

CONSOLE_TAG = '<script src="/preview/console.js"></script>'
"""What every HTML page of a local preview starts with: the script that reports the app's errors."""


async def _served(api: Any, settings: Settings, files: dict[str, str]) -> tuple[str, Path]:
    """A project whose local sandbox folder holds `files`, as a run leaves it."""
    project = await api.ok("alice", "POST", "/api/projects", {"name": "Preview", "framework": "REACT"})
    folder = settings.sandboxes_dir / project["id"]
    for path, content in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(content)
    return project["id"], folder


async def test_a_sandbox_file_is_served_with_the_sandbox_policy(api, client, settings):
    project_id, _ = await _served(api, settings, {"index.html": "<h1>Hi</h1>"})

    response = await client.get(f"/preview/{project_id}/")

    assert (response.status_code, response.text) == (200, CONSOLE_TAG + "<h1>Hi</h1>")
    assert response.headers["content-security-policy"].startswith("sandbox")


@pytest.mark.parametrize(
    "name",
    ["a" * 300, "src/" + "a" * 256 + ".js", "%01x", "x%00y", "%C3%A9" * 128, "%FF.js", "%ED%A0%80"],
    ids=[
        "300-characters",
        "256-in-a-folder",
        "control",
        "nul",
        "256-bytes-of-utf-8",
        "not-utf-8",
        "surrogate",
    ],
)
async def test_a_name_no_file_can_have_is_404(api, client, settings, name):
    project_id, _ = await _served(api, settings, {"index.html": "<h1>Hi</h1>"})

    response = await client.get(f"/preview/{project_id}/{name}")

    assert response.status_code == 404
    assert response.headers["content-security-policy"].startswith("sandbox")


async def test_a_folder_is_served_by_its_index_page(api, client, settings):
    project_id, _ = await _served(api, settings, {"docs/index.html": "<h1>Docs</h1>"})

    response = await client.get(f"/preview/{project_id}/docs")

    assert (response.status_code, response.text) == (200, CONSOLE_TAG + "<h1>Docs</h1>")
    assert response.headers["content-type"] == "text/html; charset=utf-8"


async def test_a_symbolic_link_to_a_file_outside_the_sandbox_is_404(api, client, settings, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("FORGE_JWT_SECRET=…")
    project_id, folder = await _served(api, settings, {"index.html": "<h1>Hi</h1>"})
    (folder / "leak.txt").symlink_to(secret)

    response = await client.get(f"/preview/{project_id}/leak.txt")

    assert response.status_code == 404
    assert "FORGE_JWT_SECRET" not in response.text


async def test_a_symbolic_link_to_the_data_folder_serves_nothing_of_it(api, client, settings):
    project_id, folder = await _served(api, settings, {"index.html": "<h1>Hi</h1>"})
    (settings.data_dir / "forge.sqlite3").touch()  # the scaled deployment has none of its own
    (folder / "data").symlink_to(settings.data_dir, target_is_directory=True)

    response = await client.get(f"/preview/{project_id}/data/forge.sqlite3")

    assert response.status_code == 404


async def test_a_symbolic_link_within_the_sandbox_is_followed(api, client, settings):
    project_id, folder = await _served(api, settings, {"assets/logo.svg": "<svg/>"})
    (folder / "logo.svg").symlink_to("assets/logo.svg")

    response = await client.get(f"/preview/{project_id}/logo.svg")

    assert (response.status_code, response.text) == (200, "<svg/>")


async def test_a_fifo_is_404_at_once(api, client, settings):
    project_id, folder = await _served(api, settings, {})
    folder.mkdir(parents=True)
    os.mkfifo(folder / "index.html")

    response = await client.get(f"/preview/{project_id}/")

    assert response.status_code == 404


async def test_a_missing_file_is_a_404_page(api, client, settings):
    project_id, _ = await _served(api, settings, {"index.html": "<h1>Hi</h1>"})

    response = await client.get(f"/preview/{project_id}/nope.js")

    assert (response.status_code, response.headers["content-type"]) == (404, "text/html; charset=utf-8")


async def test_a_folder_of_a_project_that_does_not_exist_is_not_served(client, settings):
    folder = settings.sandboxes_dir / str(uuid4())
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("<h1>Orphan</h1>")

    response = await client.get(f"/preview/{folder.name}/")

    assert response.status_code == 404


async def test_deleting_the_project_ends_its_preview_and_removes_its_sandbox(api, client, settings):
    project_id, folder = await _served(api, settings, {"index.html": "<h1>Hi</h1>", "src/a.js": "1"})
    assert (await client.get(f"/preview/{project_id}/")).status_code == 200

    await api.ok("alice", "DELETE", f"/api/projects/{project_id}")

    assert (await client.get(f"/preview/{project_id}/")).status_code == 404
    assert (await client.get(f"/preview/{project_id}/src/a.js")).status_code == 404
    assert not folder.exists()
    assert list(settings.sandboxes_dir.iterdir()) == []


async def test_the_console_script_goes_first_in_the_head(api, client, settings):
    page = "<!doctype html><html><head><title>App</title></head><body></body></html>"
    project_id, _ = await _served(api, settings, {"index.html": page})

    response = await client.get(f"/preview/{project_id}/")

    assert response.text == page.replace("<head>", "<head>" + CONSOLE_TAG)


async def test_the_console_script_is_served_to_previews(client):
    response = await client.get("/preview/console.js")

    assert (response.status_code, response.headers["content-type"].split(";")[0]) == (200, "text/javascript")
    assert "forge.preview.console" in response.text


async def test_a_version_is_previewed_from_its_stored_files(api, client):
    project = await api.project()
    message = await api.assistant_message("alice", project["id"], "v1")
    files = {"index.html": "<h1>Version one</h1>", "app.js": "export default 1;"}
    fragment = await api.fragment("alice", message["id"], "One", files=files)

    page = await client.get(f"/preview/versions/{fragment['id']}/")
    script = await client.get(f"/preview/versions/{fragment['id']}/app.js")

    assert (page.status_code, page.text) == (200, CONSOLE_TAG + "<h1>Version one</h1>")
    assert page.headers["content-security-policy"] == PREVIEW_POLICY
    assert script.text == "export default 1;"


async def test_a_version_of_a_deleted_project_is_not_served(api, client):
    project = await api.project()
    message = await api.assistant_message("alice", project["id"], "v1")
    fragment = await api.fragment("alice", message["id"], "One", files={"index.html": "<h1>Gone</h1>"})
    await api.ok("alice", "DELETE", f"/api/projects/{project['id']}")

    response = await client.get(f"/preview/versions/{fragment['id']}/")

    assert response.status_code == 404
