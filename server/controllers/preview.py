"""`/preview/{projectId}/`: a local sandbox's files, served as the app's preview.

The preview runs code a model wrote, on this server's origin. The `sandbox` policy gives the page
an opaque origin of its own, so it cannot read the editor's storage or call the API as the user;
scripts, forms and dialogs still work. No token is needed: a browser frame cannot send one, and
project ids are not guessable (122-bit UUIDv7 with 74 random bits). A project's preview lasts as
long as the project: deleted, it is 404 at once on every process.
"""

from __future__ import annotations

import asyncio
import mimetypes
from pathlib import Path
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from domain.ids import ProjectId
from domain.rules.files import path_error
from domain.services.projects import ProjectService
from forge.settings import Settings
from workers.sandboxes import folder as folder_files
from workers.sandboxes.local import sandbox_folder

PREVIEW_POLICY = "sandbox allow-scripts allow-forms allow-modals allow-popups"
INDEX = "index.html"
MISSING = "<!doctype html><title>Not found</title><p>This file is not part of the app.</p>"


class PreviewController(Controller):
    path = "/preview"
    tags = ["preview"]
    include_in_schema = False

    @get("/{project_id:uuid}", operation_id="previewRoot")
    async def root(
        self,
        project_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        projects: NamedDependency[ProjectService],
    ) -> Response[bytes] | Redirect:
        # Routing ignores a trailing slash, the browser does not: relative URLs in the app's
        # pages resolve against the folder only when the page's URL ends with one.
        if not request.scope.get("raw_path", b"").endswith(b"/"):
            return Redirect(f"/preview/{project_id}/")
        return await _serve(settings.sandboxes_dir, projects, ProjectId(project_id), "")

    @get("/{project_id:uuid}/{file_path:path}", operation_id="previewFile")
    async def file(
        self,
        project_id: FromPath[UUID],
        file_path: FromPath[str],
        settings: NamedDependency[Settings],
        projects: NamedDependency[ProjectService],
    ) -> Response[bytes]:
        return await _serve(settings.sandboxes_dir, projects, ProjectId(project_id), file_path)


async def _serve(
    sandboxes: Path, projects: ProjectService, project_id: ProjectId, file_path: str
) -> Response[bytes]:
    relative = file_path.strip("/") or INDEX
    if path_error(relative) is not None:
        return _missing()
    # A deleted project's preview ends with the commit, on every process, even before (or if
    # ever) its sandbox's folder is removed.
    if not await projects.exists(project_id):
        return _missing()
    folder = sandbox_folder(sandboxes, project_id)
    # The folder is shared with code the model wrote: what is served must really lie inside it,
    # whatever links that code made (folder_files reads nothing a link leads out to).
    name, body = relative, await asyncio.to_thread(folder_files.read_file, folder, relative)
    if body is None:
        name = f"{relative}/{INDEX}"
        body = await asyncio.to_thread(folder_files.read_file, folder, name)
    if body is None:
        return _missing()
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if media_type in ("application/javascript", "application/json"):  # Litestar adds text/*'s itself
        media_type += "; charset=utf-8"
    return _page(body, media_type, 200)


def _missing() -> Response[bytes]:
    return _page(MISSING.encode(), "text/html", 404)


def _page(body: bytes, media_type: str, status: int) -> Response[bytes]:
    return Response(
        body,
        status_code=status,
        media_type=media_type,
        headers={
            "Content-Security-Policy": PREVIEW_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
