"""The project draft: created on first read, replaced with an optimistic version."""

from __future__ import annotations


async def test_the_first_read_creates_an_empty_draft(api):
    project = await api.project()

    draft = await api.ok("alice", "GET", f"/api/projects/{project['id']}/draft")

    assert (draft["files"], draft["version"], draft["framework"]) == ({}, 0, "NEXTJS")
    assert (await api.ok("alice", "GET", f"/api/projects/{project['id']}/draft"))["id"] == draft["id"]


async def test_a_put_with_the_current_version_replaces_the_files(api):
    project = await api.project()

    draft = await api.ok(
        "alice",
        "PUT",
        f"/api/projects/{project['id']}/draft",
        {"files": {"index.html": "<h1>hi</h1>"}, "version": 0},
    )

    assert (draft["files"], draft["version"]) == ({"index.html": "<h1>hi</h1>"}, 1)


async def test_a_stale_version_is_409_with_the_current_one(api):
    project = await api.project()
    path = f"/api/projects/{project['id']}/draft"
    await api.ok("alice", "PUT", path, {"files": {"a.txt": "mine"}, "version": 0})

    response = await api.call("alice", "PUT", path, {"files": {"a.txt": "theirs"}, "version": 0})

    assert response.status_code == 409
    assert response.json()["currentVersion"] == 1
    assert (await api.ok("alice", "GET", path))["files"] == {"a.txt": "mine"}


async def test_a_draft_with_an_unsafe_path_is_refused(api):
    project = await api.project()

    response = await api.call(
        "alice", "PUT", f"/api/projects/{project['id']}/draft", {"files": {"../x": "x"}, "version": 0}
    )

    assert response.status_code == 400
