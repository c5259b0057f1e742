"""`/api/projects`: the projects of the seeds and of 002's REST reference."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.enums import DEFAULT_FRAMEWORK
from domain.errors import FieldError, InvalidInput
from domain.idempotency import RequestKey
from domain.ids import ProjectId, UserId
from domain.inputs import ProjectChanges
from domain.services.projects import ProjectService
from domain.views import ProjectView
from server.idempotency import IDEMPOTENCY
from server.openapi import ROLE_REQUIRED, problems
from server.schemas import CreateProject, ListedProject, ProjectDetail, Success
from workers.sandbox_sync import SandboxSync


class ProjectController(Controller):
    path = "/projects"
    tags = ["projects"]

    @post(
        "/",
        operation_id="createProject",
        responses=problems(403, 409, 422),
        status_code=201,
        dependencies=IDEMPOTENCY,
    )
    async def create_project(
        self,
        data: JSONBody[CreateProject],
        user_id: NamedDependency[UserId],
        projects: NamedDependency[ProjectService],
        request_key: NamedDependency[RequestKey | None],
    ) -> ProjectView:
        """Create a project. With `message`: stores it as the first message, spends 1 credit and
        starts the code agent. Without: a plain project named `name`. With an `Idempotency-Key`,
        a retry gets the first answer."""
        framework = data.framework or DEFAULT_FRAMEWORK
        if data.message is not None:
            return await projects.create_with_message(
                user_id,
                data.message,
                framework=framework,
                image_url=data.image_url,
                attachments=data.attachments,
                model=data.model,
                key=request_key,
            )
        if data.name is not None:
            return await projects.create(user_id, data.name, framework, key=request_key)
        raise InvalidInput([FieldError("message", "is required (or `name` for a plain project)")])

    @get("/", operation_id="listProjects", responses=problems())
    async def list_projects(
        self, user_id: NamedDependency[UserId], projects: NamedDependency[ProjectService]
    ) -> list[ListedProject]:
        """The projects the caller owns or is a member of, most recently updated first, each with
        the caller's role."""
        return [ListedProject.of(access) for access in await projects.list_projects(user_id)]

    @get("/{project_id:uuid}", operation_id="getProject", responses=problems(404))
    async def get_project(
        self,
        project_id: FromPath[UUID],
        user_id: NamedDependency[UserId],
        projects: NamedDependency[ProjectService],
    ) -> ProjectDetail:
        """The project with the caller's role and a summary of its latest fragment."""
        access, fragment = await projects.get(user_id, ProjectId(project_id))
        return ProjectDetail.build(access, fragment)

    @patch(
        "/{project_id:uuid}",
        operation_id="updateProject",
        responses=problems(403, 404, overrides=ROLE_REQUIRED),
    )
    async def update_project(
        self,
        project_id: FromPath[UUID],
        data: JSONBody[ProjectChanges],
        user_id: NamedDependency[UserId],
        projects: NamedDependency[ProjectService],
    ) -> ProjectView:
        """Rename the project or change its framework or model preference."""
        return ProjectView.from_entity(await projects.update(user_id, ProjectId(project_id), data))

    @delete(
        "/{project_id:uuid}",
        operation_id="deleteProject",
        responses=problems(403, 404, overrides=ROLE_REQUIRED),
        status_code=200,
    )
    async def delete_project(
        self,
        project_id: FromPath[UUID],
        user_id: NamedDependency[UserId],
        projects: NamedDependency[ProjectService],
        sandbox_sync: NamedDependency[SandboxSync],
    ) -> Success:
        """Delete the project with its messages, fragments, attachments, draft, runs and imports
        (the owner only); its sandbox is stopped and removed, and its preview is gone at once."""
        project = await projects.delete(user_id, ProjectId(project_id))
        await sandbox_sync.removed(project)
        return Success()
