"""API.md's permission table, route by route: every `/api` route of a project in the OpenAPI
document, called by its owner, an editor, a viewer and a stranger, answers with the status the
table says, and a refused call changes nothing."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from server.app import build_app
from tests.api import FILES, Api

OWNER, EDITOR, VIEWER, STRANGER = "OWNER", "EDITOR", "VIEWER", "STRANGER"
USERS = {OWNER: "olivia", EDITOR: "eddie", VIEWER: "vera", STRANGER: "sam"}
ALLOWED = {
    "read": {OWNER, EDITOR, VIEWER},
    "build": {OWNER, EDITOR},
    "invite": {OWNER, EDITOR},
    "manage": {OWNER},
    "delete": {OWNER},
    "leave": {EDITOR, VIEWER},
}
"""API.md's table: who may take each action."""

NOT_PROJECT_ROUTES = {
    "createProject",
    "listProjects",
    "acceptInvitation",
    "getUsage",
    "resetUsage",
    "getSubscription",
    "listConnections",
    "storeConnection",
    "updateConnectionMetadata",
    "revokeConnection",
    "polarWebhook",
}
"""Routes of no one project: the caller's own things, or no caller at all."""


@dataclass
class World:
    """A project with one of everything its routes act on, and who is who."""

    ids: dict[str, str] = field(default_factory=dict)
    """Path parameters by name."""


Prepare = Callable[[Api, World, str], Awaitable[None]]


async def nothing(api: Api, world: World, actor: str) -> None:
    return None


async def claim_as_actor(api: Api, world: World, actor: str) -> None:
    """Completing a run needs it claimed by whoever completes it (the owner when the actor may not)."""
    claimer = actor if actor in {OWNER, EDITOR} else OWNER
    await api.ok(USERS[claimer], "POST", f"/api/runs/{world.ids['run_id']}/claim")


@dataclass(frozen=True)
class Case:
    operation: str
    action: str
    body: Any = None
    prepare: Prepare = nothing
    member: str = "mia"
    """Whose `member_id` the path names; "self" for the actor."""
    statuses: dict[str, int] = field(default_factory=dict)
    """Where API.md says something else than the table (the owner cannot leave: 409)."""


CASES = [
    Case("getProject", "read"),
    Case("updateProject", "build", {"name": "Renamed"}),
    Case("deleteProject", "delete"),
    Case("listMessages", "read"),
    Case("createMessage", "build", {"value": "Add a dark mode toggle"}),
    Case("updateMessage", "build", {"content": "Edited"}),
    Case(
        "saveFragment",
        "build",
        {"sandboxUrl": "https://sbx.example", "title": "Edited", "files": FILES, "framework": "NEXTJS"},
    ),
    Case("addAttachment", "build", {"url": "https://img.example/a.png", "size": 10}),
    Case("listFragments", "read"),
    Case("restoreFragment", "build"),
    Case("downloadLatestFragment", "read"),
    Case("downloadFragment", "read"),
    Case("getDraft", "read"),
    Case("replaceDraft", "build", {"files": FILES, "version": 0}),
    Case(
        "createImport",
        "build",
        {
            "source": "GITHUB",
            "sourceId": "1",
            "sourceName": "octo/todo",
            "sourceUrl": "https://github.com/octo/todo",
        },
    ),
    Case("listImports", "read"),
    Case("getImport", "read"),
    Case("updateImportStatus", "build", {"status": "PROCESSING"}),
    Case("enqueueRun", "build", {"value": "Add a dark mode toggle"}),
    Case("listRuns", "read"),
    Case("getRun", "read"),
    Case("claimRun", "build"),
    Case(
        "completeRun",
        "build",
        {"summary": "Done.", "files": FILES, "framework": "NEXTJS"},
        prepare=claim_as_actor,
    ),
    Case("failRun", "build", {"error": "npm install failed"}),
    Case("cancelRun", "build"),
    Case("listMembers", "read"),
    Case("updateMember", "manage", {"role": "EDITOR"}),
    Case("removeMember", "manage"),
    Case("removeMember", "leave", member="self", statuses={OWNER: 409}),
    Case("createInvitation", "invite", {"role": "VIEWER"}),
    Case("listInvitations", "invite"),
    Case("revokeInvitation", "invite"),
]


def _document() -> dict[str, Any]:
    document: dict[str, Any] = build_app(1024 * 1024).openapi_schema.to_schema()
    return document


OPERATIONS = {
    operation["operationId"]: (method.upper(), path, operation)
    for path, methods in _document()["paths"].items()
    if path.startswith("/api/")
    for method, operation in methods.items()
}


def expected(case: Case, role: str) -> int:
    if role in case.statuses:
        return case.statuses[role]
    if role == STRANGER:
        return 404
    if role not in ALLOWED[case.action]:
        return 403
    _, _, operation = OPERATIONS[case.operation]
    return int(next(status for status in operation["responses"] if status.startswith("2")))


@pytest.fixture
async def world(api: Api) -> World:
    owner = USERS[OWNER]
    project = await api.ok(owner, "POST", "/api/projects", {"name": "Shared"})
    pid = project["id"]
    for role, user in ((EDITOR, "eddie"), (VIEWER, "vera"), (VIEWER, "mia")):
        await api.share(owner, pid, user, role)
    message = await api.assistant_message(owner, pid)
    fragment = await api.fragment(owner, message["id"])
    run = await api.ok(owner, "POST", f"/api/projects/{pid}/runs", {"value": "Build it"})
    source = {
        "source": "GITHUB",
        "sourceId": "2",
        "sourceName": "octo/app",
        "sourceUrl": "https://github.com/o/a",
    }
    record = await api.ok(owner, "POST", f"/api/projects/{pid}/imports", source)
    invitation = await api.invite(owner, pid, "VIEWER")
    await api.ok(owner, "GET", f"/api/projects/{pid}/draft")  # made by the first read
    return World(
        ids={
            "project_id": pid,
            "message_id": message["id"],
            "fragment_id": fragment["id"],
            "run_id": run["id"],
            "import_id": record["id"],
            "invitation_id": invitation["id"],
        }
    )


async def state(api: Api, world: World) -> list[Any]:
    """Everything of the project its owner can read, and the owner's credits."""
    pid = world.ids["project_id"]
    reads = ["", "/messages", "/fragments", "/draft", "/runs", "/imports", "/members", "/invitations"]
    project = [
        (await api.call(USERS[OWNER], "GET", f"/api/projects/{pid}{suffix}")).json() for suffix in reads
    ]
    return [*project, await api.ok(USERS[OWNER], "GET", "/api/usage")]


def case_id(case: Case) -> str:
    return case.operation if case.member != "self" else f"{case.operation}(self)"


@pytest.mark.parametrize("role", [OWNER, EDITOR, VIEWER, STRANGER])
@pytest.mark.parametrize("case", CASES, ids=case_id)
async def test_a_project_route_answers_each_role_as_the_table_says(api, world, case, role):
    method, template, _ = OPERATIONS[case.operation]
    await case.prepare(api, world, role)
    member = USERS[role] if case.member == "self" else case.member
    path = re.sub(r"{(\w+)}", lambda m: {**world.ids, "member_id": member}[m.group(1)], template)
    before = await state(api, world)

    response = await api.call(USERS[role], method, path, case.body)

    assert response.status_code == expected(case, role), response.text
    if response.status_code in (403, 404):
        assert await state(api, world) == before


async def test_a_refusal_for_a_role_names_the_role_not_the_plan(api, world):
    response = await api.call(
        USERS[VIEWER], "PATCH", f"/api/projects/{world.ids['project_id']}", {"name": "x"}
    )

    assert response.headers["content-type"] == "application/problem+json"
    assert {k: response.json()[k] for k in ("type", "title", "status")} == {
        "type": "https://forgeai.dev/problems/role-required",
        "title": "Not allowed for your role on this project",
        "status": 403,
    }


async def test_every_api_route_is_in_the_table_or_of_no_project(client):
    document = (await client.get("/schema/openapi.json")).json()
    served = {
        operation["operationId"]
        for path, methods in document["paths"].items()
        if path.startswith("/api/")
        for operation in methods.values()
    }

    assert served == {case.operation for case in CASES} | NOT_PROJECT_ROUTES


async def test_every_route_some_role_is_refused_documents_the_roles_403(client):
    document = (await client.get("/schema/openapi.json")).json()
    refusing = {case.operation for case in CASES if ALLOWED[case.action] != {OWNER, EDITOR, VIEWER}}
    titles = {
        operation["operationId"]: operation["responses"].get("403", {}).get("description")
        for methods in document["paths"].values()
        for operation in methods.values()
    }

    assert {op: titles[op] for op in refusing} == dict.fromkeys(
        refusing, "Not allowed for your role on this project"
    )
