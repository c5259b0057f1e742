"""A project's fragment history: newest first, restore without overwriting, zip downloads."""

from __future__ import annotations

import io
import zipfile

from tests.factories import add_fragment


async def project_with_two_fragments(api):
    project = await api.project()
    first = await api.fragment(
        "alice", (await api.assistant_message("alice", project["id"], "v1"))["id"], "One"
    )
    second = await api.fragment(
        "alice", (await api.assistant_message("alice", project["id"], "v2"))["id"], "Two"
    )
    return project, first, second


async def test_history_is_newest_first(api):
    project, first, second = await project_with_two_fragments(api)

    history = await api.ok("alice", "GET", f"/api/projects/{project['id']}/fragments")

    assert [f["id"] for f in history["items"]] == [second["id"], first["id"]]


async def test_the_project_shows_its_latest_fragment(api):
    project, _, second = await project_with_two_fragments(api)

    detail = await api.ok("alice", "GET", f"/api/projects/{project['id']}")

    assert detail["latestFragment"]["id"] == second["id"]
    assert detail["latestFragment"]["fileCount"] == 2


async def test_restore_adds_a_new_assistant_message_with_a_copy(api):
    project, first, second = await project_with_two_fragments(api)

    response = await api.call(
        "alice", "POST", f"/api/projects/{project['id']}/fragments/{first['id']}/restore"
    )

    assert response.status_code == 201
    restored = response.json()
    assert (
        restored["role"],
        restored["content"],
        restored["fragment"]["title"],
        restored["fragment"]["files"],
    ) == (
        "ASSISTANT",
        "Restored “One”.",
        "One",
        first["files"],
    )
    history = await api.ok("alice", "GET", f"/api/projects/{project['id']}/fragments")
    assert [f["id"] for f in history["items"]] == [restored["fragment"]["id"], second["id"], first["id"]]


async def test_restoring_a_fragment_of_another_project_is_404(api):
    project, _, _ = await project_with_two_fragments(api)
    _, elsewhere, _ = await project_with_two_fragments(api)

    response = await api.call(
        "alice", "POST", f"/api/projects/{project['id']}/fragments/{elsewhere['id']}/restore"
    )

    assert response.status_code == 404


async def test_download_zips_the_latest_fragment(api):
    project, _, second = await project_with_two_fragments(api)

    response = await api.call("alice", "GET", f"/api/projects/{project['id']}/download")

    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == f'attachment; filename="{project["name"]}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert {name: archive.read(name).decode() for name in archive.namelist()} == second["files"]


async def test_download_of_an_earlier_fragment(api):
    project, first, _ = await project_with_two_fragments(api)

    response = await api.call(
        "alice", "GET", f"/api/projects/{project['id']}/fragments/{first['id']}/download"
    )

    assert sorted(zipfile.ZipFile(io.BytesIO(response.content)).namelist()) == sorted(first["files"])


async def test_download_without_any_fragment_is_404(api):
    project = await api.project()

    response = await api.call("alice", "GET", f"/api/projects/{project['id']}/download")

    assert response.status_code == 404


async def test_restoring_a_fragment_stored_with_a_path_no_folder_takes_is_refused(api, clock):
    project = await api.project()
    message = await api.assistant_message("alice", project["id"])
    legacy = await add_fragment(project["id"], message["id"], clock.now(), {"a" * 300: "x"})
    before = await api.messages("alice", project["id"])

    response = await api.call("alice", "POST", f"/api/projects/{project['id']}/fragments/{legacy.id}/restore")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "files." + "a" * 300
    assert await api.messages("alice", project["id"]) == before
