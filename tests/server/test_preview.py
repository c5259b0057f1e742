"""`/preview/{projectId}/`: a local sandbox's files, and only those, on both deployments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from forge.settings import Settings


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

    assert (response.status_code, response.text) == (200, "<h1>Hi</h1>")
    assert response.headers["content-security-policy"].startswith("sandbox")


@pytest.mark.parametrize(
    "name",
    ["a" * 300, "src/" + "a" * 256 + ".js", "%01x", "x%00y", "%C3%A9" * 128],
    ids=["300-characters", "256-in-a-folder", "control", "nul", "256-bytes-of-utf-8"],
)
async def test_a_name_no_file_can_have_is_404(api, client, settings, name):
    project_id, _ = await _served(api, settings, {"index.html": "<h1>Hi</h1>"})

    response = await client.get(f"/preview/{project_id}/{name}")

    assert response.status_code == 404
    assert response.headers["content-security-policy"].startswith("sandbox")
