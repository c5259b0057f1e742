"""Imports (seed: imports.*): records and their status transitions."""

from __future__ import annotations

import pytest

GITHUB = {
    "source": "GITHUB",
    "sourceId": "123456",
    "sourceName": "octo/todo",
    "sourceUrl": "https://github.com/octo/todo",
    "metadata": {"branch": "main"},
}


async def new_import(api, user="alice", **body):
    project = await api.project(user)
    return project, await api.ok(user, "POST", f"/api/projects/{project['id']}/imports", {**GITHUB, **body})


async def move(api, record, status, **body):
    return await api.call("alice", "PATCH", f"/api/imports/{record['id']}", {"status": status, **body})


async def test_an_import_starts_pending(api):
    project, record = await new_import(api)

    assert (record["status"], record["projectId"], record["sourceName"], record["error"]) == (
        "PENDING",
        project["id"],
        "octo/todo",
        None,
    )
    assert await api.ok("alice", "GET", f"/api/imports/{record['id']}") == record


async def test_an_import_into_someone_elses_project_is_404(api):
    theirs = await api.project("bob")

    response = await api.call("alice", "POST", f"/api/projects/{theirs['id']}/imports", GITHUB)

    assert response.status_code == 404


async def test_an_import_linked_to_a_message_of_another_project_is_refused(api):
    other = await api.project()
    message = await api.first_message("alice", other["id"])
    project = await api.project()

    response = await api.call(
        "alice", "POST", f"/api/projects/{project['id']}/imports", {**GITHUB, "messageId": message["id"]}
    )

    assert response.status_code == 400


async def test_imports_are_listed_newest_first(api):
    project, first = await new_import(api)
    second = await api.ok(
        "alice", "POST", f"/api/projects/{project['id']}/imports", {**GITHUB, "sourceId": "2"}
    )

    listed = await api.ok("alice", "GET", f"/api/projects/{project['id']}/imports")

    assert [i["id"] for i in listed["items"]] == [second["id"], first["id"]]


async def test_pending_processing_complete_merges_metadata(api):
    _, record = await new_import(api)
    await move(api, record, "PROCESSING", metadata={"files": 10})

    response = await move(api, record, "COMPLETE", metadata={"files": 12, "skipped": 1})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["metadata"]) == (
        "COMPLETE",
        {"branch": "main", "files": 12, "skipped": 1},
    )


async def test_a_failure_keeps_its_error(api):
    _, record = await new_import(api)
    await move(api, record, "PROCESSING")

    response = await move(api, record, "FAILED", error="Repository not found")

    assert (response.json()["status"], response.json()["error"]) == ("FAILED", "Repository not found")


async def test_a_failure_needs_its_error(api):
    _, record = await new_import(api)

    response = await move(api, record, "FAILED")

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("path", "target"),
    [(["PROCESSING", "COMPLETE"], "PROCESSING"), (["PROCESSING", "COMPLETE"], "FAILED"), ([], "COMPLETE")],
    ids=["complete-to-processing", "complete-to-failed", "pending-to-complete"],
)
async def test_an_illegal_transition_is_409_and_changes_nothing(api, path, target):
    _, record = await new_import(api)
    for status in path:
        await move(api, record, status)

    response = await move(api, record, target, error="x")

    assert response.status_code == 409
    assert (await api.ok("alice", "GET", f"/api/imports/{record['id']}"))["status"] == (
        path[-1] if path else "PENDING"
    )
