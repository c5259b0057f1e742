"""Imports from Figma and GitHub: created by the user, moved along by the worker."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.ids import ImportId, ProjectId, UserId
from domain.inputs import ImportChanges, NewImport
from domain.services.imports import ImportService
from domain.views import ImportView
from server.controllers.params import DEFAULT_LIMIT, Cursor, Limit
from server.openapi import ROLE_REQUIRED, problems
from server.schemas import ImportPage, decode_cursor, encode_cursor


class ImportController(Controller):
    path = ""
    tags = ["imports"]

    @post(
        "/projects/{project_id:uuid}/imports",
        operation_id="createImport",
        responses=problems(403, 404, overrides=ROLE_REQUIRED),
        status_code=201,
    )
    async def create_import(
        self,
        project_id: FromPath[UUID],
        data: JSONBody[NewImport],
        user_id: NamedDependency[UserId],
        imports: NamedDependency[ImportService],
    ) -> ImportView:
        """Record an import (PENDING) of a Figma file or GitHub repository into the project."""
        return ImportView.from_entity(await imports.create(user_id, ProjectId(project_id), data))

    @get("/projects/{project_id:uuid}/imports", operation_id="listImports", responses=problems(404))
    async def list_imports(
        self,
        project_id: FromPath[UUID],
        user_id: NamedDependency[UserId],
        imports: NamedDependency[ImportService],
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> ImportPage:
        """The project's imports, newest first."""
        before = decode_cursor(cursor)
        page = await imports.list_for_project(
            user_id, ProjectId(project_id), limit, None if before is None else ImportId(before)
        )
        return ImportPage(
            items=[ImportView.from_entity(i) for i in page.items], next_cursor=encode_cursor(page.next_key)
        )

    @get("/imports/{import_id:uuid}", operation_id="getImport", responses=problems(404))
    async def get_import(
        self,
        import_id: FromPath[UUID],
        user_id: NamedDependency[UserId],
        imports: NamedDependency[ImportService],
    ) -> ImportView:
        return ImportView.from_entity(await imports.get(user_id, ImportId(import_id)))

    @patch(
        "/imports/{import_id:uuid}",
        operation_id="updateImportStatus",
        responses=problems(403, 404, 409, overrides=ROLE_REQUIRED),
    )
    async def update_import_status(
        self,
        import_id: FromPath[UUID],
        data: JSONBody[ImportChanges],
        user_id: NamedDependency[UserId],
        imports: NamedDependency[ImportService],
    ) -> ImportView:
        """PENDING → PROCESSING → COMPLETE or FAILED (with `error`); `metadata` is merged. Other
        moves are 409."""
        return ImportView.from_entity(await imports.update_status(user_id, ImportId(import_id), data))
