"""`/api/projects/{id}/draft`: the project's hand-edited files, with an optimistic version."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.ids import ProjectId, UserId
from domain.services.drafts import DraftService
from domain.views import DraftView
from server.openapi import ROLE_REQUIRED, problems
from server.schemas import DraftFiles


class DraftController(Controller):
    path = "/projects/{project_id:uuid}/draft"
    tags = ["drafts"]

    @get("/", operation_id="getDraft", responses=problems(404))
    async def get_draft(
        self,
        project_id: FromPath[UUID],
        user_id: NamedDependency[UserId],
        drafts: NamedDependency[DraftService],
    ) -> DraftView:
        """The draft; the first read creates an empty one (`files: {}`, version 0)."""
        return DraftView.from_entity(await drafts.get_or_create(user_id, ProjectId(project_id)))

    @put("/", operation_id="replaceDraft", responses=problems(403, 404, 409, overrides=ROLE_REQUIRED))
    async def replace_draft(
        self,
        project_id: FromPath[UUID],
        data: JSONBody[DraftFiles],
        user_id: NamedDependency[UserId],
        drafts: NamedDependency[DraftService],
    ) -> DraftView:
        """Replace the files. `version` must be the current one (else 409 with `currentVersion`)."""
        draft = await drafts.replace_files(user_id, ProjectId(project_id), data.files, data.version)
        return DraftView.from_entity(draft)
