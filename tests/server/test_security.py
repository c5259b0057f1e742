"""Every route that names a resource, called with another user's token: 404 (403 for the admin
route), and nothing in the database changes."""

from __future__ import annotations

import re

import pytest

from db.tables import TABLES, ProjectEventTable, ProjectStreamTable
from tests.api import FILES

# (method, path with {placeholders} filled from alice's resources, body, expected status)
ROUTES = [
    ("GET", "/api/projects/{project}", None, 404),
    ("PATCH", "/api/projects/{project}", {"name": "mine"}, 404),
    ("DELETE", "/api/projects/{project}", None, 404),
    ("GET", "/api/projects/{project}/messages", None, 404),
    ("POST", "/api/projects/{project}/messages", {"value": "hello"}, 404),
    ("PATCH", "/api/messages/{message}", {"content": "mine"}, 404),
    (
        "PUT",
        "/api/messages/{message}/fragment",
        {"sandboxUrl": "https://x", "title": "t", "files": {}, "framework": "VUE"},
        404,
    ),
    ("POST", "/api/messages/{message}/attachments", {"url": "https://x", "size": 1}, 404),
    ("GET", "/api/projects/{project}/fragments", None, 404),
    ("POST", "/api/projects/{project}/fragments/{fragment}/restore", None, 404),
    ("GET", "/api/projects/{project}/download", None, 404),
    ("GET", "/api/projects/{project}/fragments/{fragment}/download", None, 404),
    ("GET", "/api/projects/{project}/draft", None, 404),
    ("PUT", "/api/projects/{project}/draft", {"files": {}, "version": 1}, 404),
    (
        "POST",
        "/api/projects/{project}/imports",
        {"source": "FIGMA", "sourceId": "f", "sourceName": "f", "sourceUrl": "https://figma.com/f"},
        404,
    ),
    ("GET", "/api/projects/{project}/imports", None, 404),
    ("GET", "/api/imports/{import}", None, 404),
    ("PATCH", "/api/imports/{import}", {"status": "PROCESSING"}, 404),
    ("POST", "/api/projects/{project}/runs", {"value": "go"}, 404),
    ("GET", "/api/projects/{project}/runs", None, 404),
    ("GET", "/api/runs/{run}", None, 404),
    ("POST", "/api/runs/{run}/claim", None, 404),
    ("POST", "/api/runs/{run}/complete", {"summary": "s", "files": {}, "framework": "VUE"}, 404),
    ("POST", "/api/runs/{run}/fail", {"error": "e"}, 404),
    ("POST", "/api/runs/{run}/cancel", None, 404),
    ("PATCH", "/api/oauth/connections/{provider}/metadata", {"metadata": {}}, 404),
    ("DELETE", "/api/oauth/connections/{provider}", None, 404),
    ("GET", "/api/projects/{project}/members", None, 404),
    ("PATCH", "/api/projects/{project}/members/{member}", {"role": "EDITOR"}, 404),
    ("DELETE", "/api/projects/{project}/members/{member}", None, 404),
    ("POST", "/api/projects/{project}/invitations", {"role": "EDITOR"}, 404),
    ("GET", "/api/projects/{project}/invitations", None, 404),
    ("DELETE", "/api/projects/{project}/invitations/{invitation}", None, 404),
    ("POST", "/api/admin/usage/{user}/reset", None, 403),
]
# Routes without a resource of someone else's in their path act on the caller's own data only.
OWN_DATA_ROUTES = {
    ("POST", "/api/projects"),
    ("GET", "/api/projects"),
    ("GET", "/api/usage"),
    ("GET", "/api/subscription"),
    ("GET", "/api/oauth/connections"),
    ("PUT", "/api/oauth/connections/{provider}"),
    ("POST", "/api/webhooks/polar"),
    ("POST", "/api/invitations/accept"),  # the token names the project, and is its only key
}


async def alices_resources(api):
    project = await api.project("alice")
    message = await api.assistant_message("alice", project["id"])
    fragment = await api.fragment("alice", message["id"], files=FILES)
    await api.ok("alice", "GET", f"/api/projects/{project['id']}/draft")
    record = await api.ok(
        "alice",
        "POST",
        f"/api/projects/{project['id']}/imports",
        {"source": "GITHUB", "sourceId": "1", "sourceName": "a/b", "sourceUrl": "https://github.com/a/b"},
    )
    run = await api.ok("alice", "POST", f"/api/projects/{project['id']}/runs", {"value": "go"})
    await api.ok("alice", "PUT", "/api/oauth/connections/github", {"accessToken": "t", "scope": "repo"})
    await api.share("alice", project["id"], "bob", "VIEWER")
    invitation = await api.invite("alice", project["id"])
    return {
        "project": project["id"],
        "message": message["id"],
        "fragment": fragment["id"],
        "import": record["id"],
        "run": run["id"],
        "provider": "github",
        "user": "alice",
        "member": "bob",
        "invitation": invitation["id"],
    }


async def database_snapshot():
    """Every table but the event log, which the relay trims in the background whatever happens."""
    return {
        t._meta.tablename: await t.select().order_by(t._meta.primary_key)
        for t in TABLES
        if t not in (ProjectStreamTable, ProjectEventTable)
    }


@pytest.mark.parametrize(
    ("method", "template", "body", "status"), ROUTES, ids=[f"{r[0]} {r[1]}" for r in ROUTES]
)
async def test_another_users_resource_is_out_of_reach(api, method, template, body, status):
    ids = await alices_resources(api)
    before = await database_snapshot()

    response = await api.call("mallory", method, template.format(**ids), body)

    assert response.status_code == status
    assert await database_snapshot() == before


async def test_the_table_covers_every_route(client):
    schema = (await client.get("/schema/openapi.json")).json()
    routes = {
        (
            method.upper(),
            re.sub(r"\{(\w+)\}", lambda m: "{" + PLACEHOLDERS.get(m.group(1), m.group(1)) + "}", path),
        )
        for path, operations in schema["paths"].items()
        if path.startswith("/api/")
        for method in operations
    }

    assert routes == {(r[0], r[1]) for r in ROUTES} | OWN_DATA_ROUTES


PLACEHOLDERS = {
    "project_id": "project",
    "message_id": "message",
    "fragment_id": "fragment",
    "import_id": "import",
    "run_id": "run",
    "target_user_id": "user",
    "member_id": "member",
    "invitation_id": "invitation",
}
