"""Small steps many API tests share: make a project, find its first message, save a fragment,
share a project."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

PROMPT = "Build a to-do list app with a clean, minimal design"
FILES = {"app/page.tsx": "export default function Page() { return <h1>Todos</h1> }", "package.json": "{}"}


class Api:
    def __init__(self, client: httpx.AsyncClient, auth: Callable[[str], dict[str, str]]) -> None:
        self.client = client
        self.auth = auth

    async def call(
        self, user: str, method: str, path: str, json: Any = None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        headers = {**self.auth(user), **(headers or {})}
        return await self.client.request(method, path, json=json, headers=headers)

    async def ok(self, user: str, method: str, path: str, json: Any = None) -> Any:
        response = await self.call(user, method, path, json)
        assert response.is_success, (response.status_code, response.text)
        return response.json()

    async def project(self, user: str = "alice", message: str = PROMPT) -> dict[str, Any]:
        return await self.ok(user, "POST", "/api/projects", {"message": message})

    async def messages(self, user: str, project_id: str) -> list[dict[str, Any]]:
        return (await self.ok(user, "GET", f"/api/projects/{project_id}/messages"))["items"]

    async def first_message(self, user: str, project_id: str) -> dict[str, Any]:
        return (await self.messages(user, project_id))[0]

    async def fragment(
        self, user: str, message_id: str, title: str = "To-do list", files: dict[str, str] | None = None
    ) -> dict[str, Any]:
        body = {
            "sandboxUrl": "https://3000-sbx.e2b.app",
            "title": title,
            "files": FILES if files is None else files,
            "framework": "NEXTJS",
        }
        return await self.ok(user, "PUT", f"/api/messages/{message_id}/fragment", body)

    async def assistant_message(
        self, user: str, project_id: str, content: str = "Here it is."
    ) -> dict[str, Any]:
        body = {"content": content, "role": "ASSISTANT", "type": "RESULT"}
        return await self.ok(user, "POST", f"/api/projects/{project_id}/messages", body)

    async def invite(self, user: str, project_id: str, role: str = "EDITOR", **terms: Any) -> dict[str, Any]:
        """A new invite link to the project, made by `user` (its token included)."""
        body = {"role": role, **terms}
        return await self.ok(user, "POST", f"/api/projects/{project_id}/invitations", body)

    async def share(self, owner: str, project_id: str, user: str, role: str) -> None:
        """Makes `user` a member with `role`: `owner` invites, `user` accepts."""
        invitation = await self.invite(owner, project_id, role)
        await self.ok(user, "POST", "/api/invitations/accept", {"token": invitation["token"]})
