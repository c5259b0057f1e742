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


async def test_a_draft_with_a_name_longer_than_255_bytes_is_refused_and_changes_nothing(api):
    project = await api.project()
    path = f"/api/projects/{project['id']}/draft"
    await api.ok("alice", "PUT", path, {"files": {"index.html": "mine"}, "version": 0})
    long_name = "src/" + "a" * 300 + ".js"

    response = await api.call("alice", "PUT", path, {"files": {long_name: "x"}, "version": 1})

    assert (response.status_code, response.headers["content-type"]) == (400, "application/problem+json")
    assert response.json()["errors"] == [
        {
            "field": f"files.{long_name}",
            "message": "must not have a segment longer than 255 bytes (UTF-8)",
            "source": "body",
        }
    ]
    draft = await api.ok("alice", "GET", path)
    assert (draft["files"], draft["version"]) == ({"index.html": "mine"}, 1)
