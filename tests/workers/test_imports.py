"""Imports done by the worker: a GitHub repository becomes the draft, a Figma file a design summary
the agent reads; every failure ends FAILED with a reason a person can act on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import msgspec
import pytest

from domain.enums import ImportStatus
from domain.services.imports import INTERRUPTED
from forge.settings import Settings
from tests.api import Api
from tests.conftest import FakeClock
from tests.factories import add_import
from tests.fakes.anthropic_server import FakeAnthropic, Reply
from tests.fakes.figma_server import FakeFigma, todo_design
from tests.fakes.github_server import FakeGitHub
from tests.ws import Frame, TabClient, open_tab
from workers.imports.github import MAX_FILES
from workers.imports.processor import ImportSettings

GITHUB_TOKEN = "gho_test_token"
FIGMA_TOKEN = "figu_test_token"
FIGMA_KEY = "aBcDeFgHiJkLmNoPqRsT"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
REPO_TEXT_FILES = {
    "package.json": '{"name": "todo", "scripts": {"dev": "vite"}}\n',
    "index.html": "<!doctype html><div id=root></div>\n",
    "src/main.jsx": "import App from './App'\n",
    "src/App.jsx": "export default function App() { return <h1>Todos ✓</h1> }\n",
}
REPO_FILES: dict[str, str | bytes] = {
    **REPO_TEXT_FILES,
    "public/logo.png": PNG,
    "data.bin": b"\x00\x01\x02binary",
    "node_modules/left-pad/index.js": "module.exports = 1\n",
}
ENDED = ("COMPLETE", "FAILED")


@pytest.fixture
async def github() -> AsyncIterator[FakeGitHub]:
    async with FakeGitHub(token=GITHUB_TOKEN) as server:
        yield server


@pytest.fixture
async def figma() -> AsyncIterator[FakeFigma]:
    async with FakeFigma(token=FIGMA_TOKEN) as server:
        yield server


@pytest.fixture
async def anthropic() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, github: FakeGitHub, figma: FakeFigma, anthropic: FakeAnthropic) -> Settings:
    return msgspec.structs.replace(
        settings,
        github_api_url=github.base_url,
        figma_api_url=figma.base_url,
        anthropic_api_key="sk-test",
        anthropic_base_url=anthropic.base_url,
    )


async def _connect(api: Api, provider: str, token: str) -> None:
    await api.ok(
        "alice", "PUT", f"/api/oauth/connections/{provider}", {"accessToken": token, "scope": "read"}
    )


async def _project_with_tab(api: Api, base_url: str) -> tuple[str, TabClient]:
    project = await api.ok("alice", "POST", "/api/projects", {"name": "Imported", "framework": "REACT"})
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")
    return project["id"], tab


def _github(name: str = "octo/todo", **overrides: Any) -> dict[str, Any]:
    return {
        "source": "GITHUB",
        "sourceId": "123456",
        "sourceName": name,
        "sourceUrl": f"https://github.com/{name}",
        **overrides,
    }


def _figma(**overrides: Any) -> dict[str, Any]:
    return {
        "source": "FIGMA",
        "sourceId": FIGMA_KEY,
        "sourceName": "Todo App",
        "sourceUrl": f"https://www.figma.com/design/{FIGMA_KEY}/Todo-App",
        **overrides,
    }


async def _imported(api: Api, tab: TabClient, project_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Creates the import and waits, through the tab, until the worker ended it; its REST body."""
    record = await api.ok("alice", "POST", f"/api/projects/{project_id}/imports", body)
    await tab.until(_ended(record["id"]), timeout=15)
    ended: dict[str, Any] = await api.ok("alice", "GET", f"/api/imports/{record['id']}")
    return ended


def _ended(import_id: str) -> Any:
    return lambda f: (
        f["type"] == "import.updated" and f["import"]["id"] == import_id and f["import"]["status"] in ENDED
    )


async def test_a_github_import_makes_the_repositorys_text_files_the_draft(
    api: Api, base_url: str, github: FakeGitHub
) -> None:
    github.add_repository("octo/todo", REPO_FILES)
    await _connect(api, "github", GITHUB_TOKEN)
    project_id, tab = await _project_with_tab(api, base_url)

    record = await _imported(api, tab, project_id, _github())

    draft = await api.ok("alice", "GET", f"/api/projects/{project_id}/draft")
    assert (record["status"], record["error"]) == ("COMPLETE", None)
    assert draft["files"] == REPO_TEXT_FILES
    assert (record["metadata"]["repository"], record["metadata"]["ref"]) == ("octo/todo", "main")
    assert record["metadata"]["fileCount"] == len(REPO_TEXT_FILES)


async def test_a_tab_sees_the_import_move_along_and_the_draft_change(
    api: Api, base_url: str, github: FakeGitHub
) -> None:
    github.add_repository("octo/todo", REPO_FILES)
    await _connect(api, "github", GITHUB_TOKEN)
    project_id, tab = await _project_with_tab(api, base_url)

    record = await _imported(api, tab, project_id, _github())

    updates = [f for f in tab.sequenced() if f["type"] == "import.updated"]
    drafts = [f for f in tab.sequenced() if f["type"] == "draft.updated"]
    assert [u["import"]["status"] for u in updates] == ["PENDING", "PROCESSING", "COMPLETE"]
    assert updates[-1]["import"] == record
    assert drafts[-1]["draft"]["files"] == REPO_TEXT_FILES
    kinds = [f["type"] for f in tab.sequenced()]
    assert kinds.index("draft.updated") < len(kinds) - 1 - kinds[::-1].index("import.updated")


async def test_a_github_import_reads_the_branch_its_url_names(
    api: Api, base_url: str, github: FakeGitHub
) -> None:
    github.add_repository("octo/todo", {"README.md": "main\n"})
    github.add_repository("octo/todo", {"README.md": "redesign\n"}, branch="feature/redesign", default=False)
    await _connect(api, "github", GITHUB_TOKEN)
    project_id, tab = await _project_with_tab(api, base_url)

    record = await _imported(
        api, tab, project_id, _github(sourceUrl="https://github.com/octo/todo/tree/feature/redesign")
    )

    draft = await api.ok("alice", "GET", f"/api/projects/{project_id}/draft")
    assert (record["status"], record["metadata"]["ref"]) == ("COMPLETE", "feature/redesign")
    assert draft["files"] == {"README.md": "redesign\n"}


async def test_a_github_import_named_only_by_the_repository_id_finds_the_repository(
    api: Api, base_url: str, github: FakeGitHub
) -> None:
    repository = github.add_repository("octo/todo", REPO_FILES)
    await _connect(api, "github", GITHUB_TOKEN)
    project_id, tab = await _project_with_tab(api, base_url)
    body = _github(sourceId=str(repository.id), sourceName="todo", sourceUrl="https://example.com/todo")

    record = await _imported(api, tab, project_id, body)

    draft = await api.ok("alice", "GET", f"/api/projects/{project_id}/draft")
    assert (record["status"], record["metadata"]["repository"]) == ("COMPLETE", "octo/todo")
    assert draft["files"] == REPO_TEXT_FILES


async def test_the_worker_calls_github_with_the_users_stored_token(
    api: Api, base_url: str, github: FakeGitHub
) -> None:
    github.add_repository("octo/todo", REPO_FILES)
    await _connect(api, "github", GITHUB_TOKEN)
    project_id, tab = await _project_with_tab(api, base_url)

    await _imported(api, tab, project_id, _github())

    assert {r.headers["authorization"] for r in github.requests} == {f"Bearer {GITHUB_TOKEN}"}
    assert github.requests[0].path == "/repos/octo/todo"


async def test_an_import_without_a_stored_token_fails_saying_what_to_connect(
    api: Api, base_url: str, github: FakeGitHub
) -> None:
    github.add_repository("octo/todo", REPO_FILES)
    project_id, tab = await _project_with_tab(api, base_url)

    record = await _imported(api, tab, project_id, _github())

    assert (record["status"], record["error"]) == (
        "FAILED",
        "Connect your GitHub account first: no GitHub connection is stored.",
    )
    assert github.requests == []


async def test_an_import_of_a_repository_github_does_not_know_fails_with_its_404(
    api: Api, base_url: str, github: FakeGitHub
) -> None:
    await _connect(api, "github", GITHUB_TOKEN)
    project_id, tab = await _project_with_tab(api, base_url)

    record = await _imported(api, tab, project_id, _github("octo/missing"))

    assert (record["status"], record["error"]) == (
        "FAILED",
        "GitHub has no repository octo/missing that your account can see (404).",
    )


async def test_a_token_github_refuses_fails_the_import_asking_to_reconnect(
    api: Api, base_url: str, github: FakeGitHub
) -> None:
    github.add_repository("octo/todo", REPO_FILES)
    await _connect(api, "github", "gho_revoked")
    project_id, tab = await _project_with_tab(api, base_url)

    record = await _imported(api, tab, project_id, _github())

    assert (record["status"], record["error"]) == (
        "FAILED",
        "GitHub refused the stored token (401): connect your GitHub account again.",
    )


async def test_an_api_that_hangs_up_fails_the_import_and_leaves_the_draft_alone(
    api: Api, base_url: str, github: FakeGitHub
) -> None:
    github.hang_up = True
    await _connect(api, "github", GITHUB_TOKEN)
    project_id, tab = await _project_with_tab(api, base_url)

    record = await _imported(api, tab, project_id, _github())

    draft = await api.ok("alice", "GET", f"/api/projects/{project_id}/draft")
    assert record["status"] == "FAILED"
    assert record["error"].startswith("Could not reach GitHub (")
    assert draft["files"] == {}


async def test_a_repository_over_the_file_limit_fails_as_too_large(
    api: Api, base_url: str, github: FakeGitHub
) -> None:
    github.add_repository(
        "octo/huge", {f"src/{n}.js": f"export const n = {n}\n" for n in range(MAX_FILES + 1)}
    )
    await _connect(api, "github", GITHUB_TOKEN)
    project_id, tab = await _project_with_tab(api, base_url)

    record = await _imported(api, tab, project_id, _github("octo/huge"))

    assert (record["status"], record["error"]) == (
        "FAILED",
        f"The repository is too large to import: {MAX_FILES + 1} text files, at most {MAX_FILES}.",
    )
    assert not any("/git/blobs/" in r.path for r in github.requests)


async def test_a_figma_import_completes_with_a_design_summary(
    api: Api, base_url: str, figma: FakeFigma
) -> None:
    figma.files[FIGMA_KEY] = todo_design()
    await _connect(api, "figma", FIGMA_TOKEN)
    project_id, tab = await _project_with_tab(api, base_url)

    record = await _imported(api, tab, project_id, _figma())

    assert record["status"] == "COMPLETE"
    assert record["metadata"]["designSummary"] == "\n".join(
        [
            'Figma file "Todo App" (last modified 2024-04-05T12:00:00Z)',
            "Pages (2): Home, Components",
            'Page "Home", top-level frames:',
            "- Desktop (frame, 1440x1024)",
            "- Mobile (frame, 375x812)",
            "Text styles (uses): Inter 32px 700 (1); Inter 16px 400 (1); Inter 24px 700 (1)",
            "Colours (uses): #111111 (3), #FFFFFF (2), #4F46E5 (1)",
            'Texts: "My todos"; "Add a task"',
            "Named styles: Heading (text), Primary (fill)",
        ]
    )
    assert figma.requests[0].headers["authorization"] == f"Bearer {FIGMA_TOKEN}"


async def test_a_figma_file_that_is_not_there_fails_the_import(
    api: Api, base_url: str, figma: FakeFigma
) -> None:
    await _connect(api, "figma", FIGMA_TOKEN)
    project_id, tab = await _project_with_tab(api, base_url)

    record = await _imported(api, tab, project_id, _figma())

    assert (record["status"], record["error"]) == (
        "FAILED",
        f"Figma has no Figma file {FIGMA_KEY} that your account can see (404).",
    )


async def test_a_figma_import_of_a_message_puts_its_summary_on_the_message(
    api: Api, base_url: str, figma: FakeFigma
) -> None:
    figma.files[FIGMA_KEY] = todo_design()
    await _connect(api, "figma", FIGMA_TOKEN)
    project_id, tab = await _project_with_tab(api, base_url)
    note = {"content": "Use this design", "role": "USER", "type": "RESULT"}
    message = await api.ok("alice", "POST", f"/api/projects/{project_id}/messages", note)

    record = await _imported(api, tab, project_id, _figma(messageId=message["id"]))

    attachments = (await api.messages("alice", project_id))[0]["attachments"]
    assert [(a["type"], a["importId"]) for a in attachments] == [("FIGMA_FILE", record["id"])]
    assert attachments[0]["sourceMetadata"]["designSummary"] == record["metadata"]["designSummary"]
    updated = await tab.next_of("message.updated")
    assert updated["message"]["attachments"] == attachments


async def test_the_agent_is_told_the_design_of_the_figma_import_a_prompt_attaches(
    api: Api, base_url: str, figma: FakeFigma, anthropic: FakeAnthropic
) -> None:
    figma.files[FIGMA_KEY] = todo_design()
    anthropic.script(Reply(text=["<task_summary>Built it.</task_summary>"]))
    await _connect(api, "figma", FIGMA_TOKEN)
    project_id, tab = await _project_with_tab(api, base_url)
    record = await api.ok("alice", "POST", f"/api/projects/{project_id}/imports", _figma())
    attachment = {"type": "FIGMA_FILE", "url": _figma()["sourceUrl"], "size": 0, "importId": record["id"]}

    await api.ok(
        "alice",
        "POST",
        f"/api/projects/{project_id}/messages",
        {"value": "Build this", "attachments": [attachment]},
    )
    await _until_run_ends(tab)

    done = await api.ok("alice", "GET", f"/api/imports/{record['id']}")
    prompt = anthropic.requests[0]["messages"][-1]["content"]
    texts = [block["text"] for block in prompt if block["type"] == "text"]
    assert f"Attached figma file:\n{done['metadata']['designSummary']}" in texts


async def _until_run_ends(tab: TabClient) -> Frame:
    return await tab.until(
        lambda f: f["type"] == "run.updated" and f["run"]["status"] in ("COMPLETED", "FAILED"), timeout=30
    )


async def test_an_import_left_processing_by_a_lost_worker_ends_failed(
    api: Api, base_url: str, clock: FakeClock
) -> None:
    project_id, tab = await _project_with_tab(api, base_url)
    record = await add_import("alice", project_id, clock.now(), status=ImportStatus.PROCESSING)

    clock.advance(timedelta(seconds=ImportSettings().deadline_seconds * 2 + 1))
    ended = await tab.until(_ended(str(record.id)), timeout=15)

    assert (ended["import"]["status"], ended["import"]["error"]) == ("FAILED", INTERRUPTED)
