"""`/preview/{projectId}/`: a local sandbox's files, served as the app's preview; and
`/preview/versions/{fragmentId}/`: one version's files as they were stored, to look at a version
before restoring it (static files only: no dev server runs for it).

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

from domain.ids import FragmentId, ProjectId
from domain.rules.files import path_error
from domain.services.messages import MessageService
from domain.services.projects import ProjectService
from forge.settings import Settings
from server.preview_console import CONSOLE_SCRIPT, with_console
from workers.sandboxes import folder as folder_files
from workers.sandboxes.local import sandbox_folder

PREVIEW_POLICY = "sandbox allow-scripts allow-forms allow-modals allow-popups"
INDEX = "index.html"
MISSING = "<!doctype html><title>Not found</title><p>This file is not part of the app.</p>"


class PreviewController(Controller):
    path = "/preview"
    tags = ["preview"]
    include_in_schema = False

    @get("/console.js", operation_id="previewConsoleScript")
    async def console_script(self) -> Response[bytes]:
        return _page(CONSOLE_SCRIPT, "text/javascript", 200)

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

    @get("/versions/{fragment_id:uuid}", operation_id="previewVersionRoot")
    async def version_root(
        self,
        fragment_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        messages: NamedDependency[MessageService],
    ) -> Response[bytes] | Redirect:
        if not request.scope.get("raw_path", b"").endswith(b"/"):
            return Redirect(f"/preview/versions/{fragment_id}/")
        return await _serve_version(messages, FragmentId(fragment_id), "")

    @get("/versions/{fragment_id:uuid}/{file_path:path}", operation_id="previewVersionFile")
    async def version_file(
        self, fragment_id: FromPath[UUID], file_path: FromPath[str], messages: NamedDependency[MessageService]
    ) -> Response[bytes]:
        return await _serve_version(messages, FragmentId(fragment_id), file_path)


async def _serve_version(
    messages: MessageService, fragment_id: FragmentId, file_path: str
) -> Response[bytes]:
    relative = file_path.strip("/") or INDEX
    files = None if path_error(relative) is not None else await messages.version_files(fragment_id)
    if files is None:
        return _missing()
    name = relative if relative in files else f"{relative}/{INDEX}"
    if name not in files:
        return _missing()
    return _file(name, files[name].encode())


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
    return _file(name, body)


def _file(name: str, body: bytes) -> Response[bytes]:
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if media_type in ("application/javascript", "application/json"):  # Litestar adds text/*'s itself
        media_type += "; charset=utf-8"
    if media_type == "text/html":
        body = with_console(body)
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
