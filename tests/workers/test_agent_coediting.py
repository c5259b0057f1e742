"""People and the agent edit one document (API.md, "WebSocket: the shared code of a project"): a
run rewrites a file while a person types elsewhere in it, and both changes end in the shared
code, the run's fragment and the preview."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import msgspec
import pytest

from forge.settings import Settings
from tests.api import Api
from tests.fakes.anthropic_server import FakeAnthropic, Reply
from tests.workers.test_agent_end_to_end import _until_run_ends
from tests.ws import open_tab
from tests.yclient import open_doc

PATH = "app/page.tsx"
BEFORE = "function header() {\n  return 'Todos';\n}\n\nfunction footer() {\n  return 'by us';\n}\n"
AGENT_WRITES = BEFORE.replace("'Todos'", "'My todos'")
PERSON_TYPES = " (2026)"
AFTER = BEFORE.replace("'Todos'", "'My todos'").replace("'by us'", "'by us (2026)'")


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, fake: FakeAnthropic) -> Settings:
    return msgspec.structs.replace(settings, anthropic_api_key="sk-test", anthropic_base_url=fake.base_url)


async def test_a_persons_typing_during_a_run_survives_the_agents_rewrite_of_the_same_file(
    api: Api, base_url: str, fake: FakeAnthropic, client
) -> None:
    person_typed = asyncio.Event()
    fake.script(
        Reply(text=["Reading."], tools=[("toolu_1", "readFiles", {"files": [PATH]})]),
        Reply(
            text=["Renaming ", "the header."],
            tools=[("toolu_2", "createOrUpdateFiles", {"files": [{"path": PATH, "content": AGENT_WRITES}]})],
            hold=person_typed,
        ),
        Reply(text=["<task_summary>Renamed the header.</task_summary>"]),
    )
    project = await api.ok("alice", "POST", "/api/projects", {"name": "Todo", "framework": "NEXTJS"})
    await api.ok(
        "alice", "PUT", f"/api/projects/{project['id']}/draft", {"files": {PATH: BEFORE}, "version": 0}
    )
    person = await open_doc(base_url, project["id"], "alice")
    await person.synced()
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")
    await api.ok("alice", "POST", f"/api/projects/{project['id']}/messages", {"value": "Rename the header"})

    async with asyncio.timeout(15):  # the agent has read the file and is writing its answer
        while len(fake.first_text_sent) < 2:  # noqa: ASYNC110 - the fake records, it does not signal
            await asyncio.sleep(0.02)
    person.type_at(PATH, BEFORE.index("'by us'") + len("'by us"), PERSON_TYPES)
    await person.ack()
    person_typed.set()
    end = await _until_run_ends(tab)

    fragment = next(f for f in tab.frames if f["type"] == "fragment.updated")["fragment"]
    preview = await client.get(f"/preview/{project['id']}/{PATH}")
    draft = await api.ok("alice", "GET", f"/api/projects/{project['id']}/draft")
    await person.ack()
    assert end["run"]["status"] == "COMPLETED"
    assert fragment["files"][PATH] == AFTER
    assert draft["files"][PATH] == AFTER
    assert preview.text == AFTER
    assert person.text(PATH) == AFTER
    await person.close()
    await tab.close()


async def test_the_preview_follows_what_a_person_types_after_a_run(
    api: Api, base_url: str, fake: FakeAnthropic, client
) -> None:
    fake.script(
        Reply(
            text=["Writing."],
            tools=[("toolu_1", "createOrUpdateFiles", {"files": [{"path": PATH, "content": BEFORE}]})],
        ),
        Reply(text=["<task_summary>Wrote the page.</task_summary>"]),
    )
    project = await api.ok("alice", "POST", "/api/projects", {"name": "Todo", "framework": "NEXTJS"})
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")
    await api.ok("alice", "POST", f"/api/projects/{project['id']}/messages", {"value": "Write the page"})
    await _until_run_ends(tab)
    person = await open_doc(base_url, project["id"], "alice")
    await person.synced()

    person.type_at(PATH, BEFORE.index("'by us'") + len("'by us"), PERSON_TYPES)
    await person.ack()

    expected = BEFORE.replace("'by us'", "'by us (2026)'")
    async with asyncio.timeout(10):
        while (await client.get(f"/preview/{project['id']}/{PATH}")).text != expected:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    await person.close()
    await tab.close()
