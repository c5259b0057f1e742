"""Projects in the `projects` table."""

from __future__ import annotations

from datetime import datetime

from piccolo.custom_types import Combinable

from db.stores.rows import from_row, to_row, update_values
from db.tables import ProjectMemberTable, ProjectTable
from domain.entities import Project, ProjectAccess
from domain.enums import ProjectRole
from domain.ids import ProjectId, UserId

KEEP = frozenset({"id", "user_id", "created_at"})


class PiccoloProjectStore:
    async def insert(self, project: Project) -> None:
        await ProjectTable.insert(ProjectTable(**to_row(project)))

    async def get(self, project_id: ProjectId) -> Project | None:
        row = await ProjectTable.select().where(ProjectTable.id == project_id).first()
        return None if row is None else from_row(row, Project)

    async def list_for_user(self, user_id: UserId) -> list[ProjectAccess]:
        shared = {
            row["project_id"]: ProjectRole(row["role"])
            for row in await ProjectMemberTable.select(
                ProjectMemberTable.project_id, ProjectMemberTable.role
            ).where(ProjectMemberTable.user_id == user_id)
        }
        visible: Combinable = ProjectTable.user_id == user_id
        if shared:
            visible = visible | ProjectTable.id.is_in(list(shared))
        rows = (
            await ProjectTable.select()
            .where(visible)
            .order_by(ProjectTable.updated_at, ProjectTable.id, ascending=False)
        )
        projects = [from_row(row, Project) for row in rows]
        return [
            ProjectAccess(project=p, role=ProjectRole.OWNER if p.user_id == user_id else shared[p.id])
            for p in projects
        ]

    async def update(self, project: Project) -> None:
        await ProjectTable.update(update_values(project, KEEP)).where(ProjectTable.id == project.id)

    async def touch(self, project_id: ProjectId, at: datetime) -> Project | None:
        rows = (
            await ProjectTable.update({ProjectTable.updated_at: at})
            .where(ProjectTable.id == project_id)
            .returning(*ProjectTable.all_columns())
        )
        return from_row(rows[0], Project) if rows else None

    async def delete(self, project_id: ProjectId) -> None:
        # Messages, fragments, attachments, the draft, runs and imports go with it (ON DELETE CASCADE).
        await ProjectTable.delete().where(ProjectTable.id == project_id)
