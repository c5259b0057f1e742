"""A project's fragment history: list, restore, and download as a zip."""

from __future__ import annotations

import io
import re
import zipfile
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from domain.entities import Fragment
from domain.ids import FragmentId, ProjectId, UserId
from domain.services.messages import MessageService
from domain.services.projects import ProjectService
from domain.views import FragmentView, MessageView
from server.controllers.params import DEFAULT_LIMIT, Cursor, Limit
from server.openapi import ROLE_REQUIRED, problems
from server.schemas import FragmentPage, decode_cursor, encode_cursor
from workers.sandbox_sync import SandboxSync

ZIP_MEDIA_TYPE = "application/zip"


class FragmentController(Controller):
    path = "/projects/{project_id:uuid}"
    tags = ["fragments"]

    @get("/fragments", operation_id="listFragments", responses=problems(404))
    async def list_fragments(
        self,
        project_id: FromPath[UUID],
        user_id: NamedDependency[UserId],
        messages: NamedDependency[MessageService],
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> FragmentPage:
        """Every fragment the project had, newest first."""
        before = decode_cursor(cursor)
        page = await messages.list_fragments(
            user_id, ProjectId(project_id), limit, None if before is None else FragmentId(before)
        )
        return FragmentPage(
            items=[FragmentView.from_entity(f) for f in page.items], next_cursor=encode_cursor(page.next_key)
        )

    @post(
        "/fragments/{fragment_id:uuid}/restore",
        operation_id="restoreFragment",
        responses=problems(403, 404, overrides=ROLE_REQUIRED),
        status_code=201,
    )
    async def restore_fragment(
        self,
        project_id: FromPath[UUID],
        fragment_id: FromPath[UUID],
        user_id: NamedDependency[UserId],
        messages: NamedDependency[MessageService],
        projects: NamedDependency[ProjectService],
        sandbox_sync: NamedDependency[SandboxSync],
    ) -> MessageView:
        """Make an earlier fragment the latest: a new ASSISTANT message with a copy of it; its files go
        back into the project's sandbox, so the preview shows it."""
        message = await messages.restore_fragment(user_id, ProjectId(project_id), FragmentId(fragment_id))
        view = (await messages.views([message]))[0]
        access, _ = await projects.get(user_id, ProjectId(project_id))
        if view.fragment is not None:
            sandbox_sync.restored(access.project, view.fragment.files)
        return view

    @get(
        "/download", operation_id="downloadLatestFragment", responses=problems(404), media_type=ZIP_MEDIA_TYPE
    )
    async def download_latest(
        self,
        project_id: FromPath[UUID],
        user_id: NamedDependency[UserId],
        messages: NamedDependency[MessageService],
    ) -> Response[bytes]:
        """The latest fragment's files as a zip."""
        project, fragment = await messages.fragment_for_download(user_id, ProjectId(project_id))
        return zip_response(project.name, fragment)

    @get(
        "/fragments/{fragment_id:uuid}/download",
        operation_id="downloadFragment",
        responses=problems(404),
        media_type=ZIP_MEDIA_TYPE,
    )
    async def download_fragment(
        self,
        project_id: FromPath[UUID],
        fragment_id: FromPath[UUID],
        user_id: NamedDependency[UserId],
        messages: NamedDependency[MessageService],
    ) -> Response[bytes]:
        """One fragment's files as a zip."""
        project, fragment = await messages.fragment_for_download(
            user_id, ProjectId(project_id), FragmentId(fragment_id)
        )
        return zip_response(project.name, fragment)


def zip_response(project_name: str, fragment: Fragment) -> Response[bytes]:
    """Paths were checked when the fragment was saved (domain/rules/files.py): no zip slip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in sorted(fragment.files.items()):
            archive.writestr(path, content)
    filename = re.sub(r"[^A-Za-z0-9._-]+", "-", project_name).strip("-") or "project"
    return Response(
        buffer.getvalue(),
        media_type=ZIP_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}.zip"'},
    )
