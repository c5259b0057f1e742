"""The code editor on the shared code: two people typing into one file at once end with the same
text everywhere, each sees the other's cursor with their name, a tab that was offline merges its
edits when it is back, a viewer reads but cannot type, and the assistant shows as a cursor where a
run writes. Saves the screenshot of two people editing that the README shows."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import pytest_asyncio
from playwright.async_api import BrowserContext, Page

from server.auth import issue_dev_token
from tests.browser.editor import (
    Rest,
    editor_text,
    open_project,
    save_screenshot,
    send_prompt,
    wait_code_synced,
    wait_finished,
)
from tests.conftest import JWT_SECRET

pytestmark = pytest.mark.asyncio(loop_scope="package")

BEA = "user_bea"
OWNER_NAME = "Ada Lovelace"
NOTES = "notes.md"
APP = "src/App.jsx"
APP_CODE = """import { useState } from "react";

export default function App() {
  const [count, setCount] = useState(0);
  return (
    <main>
      <h1>Counter</h1>
      <p>{count}</p>
    </main>
  );
}
"""
# The server's draft follows the shared code a moment after each edit.
DRAFT_FOLLOWS_S = 10.0
CURSOR_LABEL = "#code-editor .cm-ySelectionInfo"
LINE_END = """async (line) => {
  const { EditorView } = await import("/editor/vendor/editor-libs.js");
  const view = EditorView.findFromDOM(document.querySelector("#code-editor .cm-editor"));
  view.dispatch({ selection: { anchor: view.state.doc.line(line).to } });
  view.focus();
}"""


@pytest.fixture
def owner_token(user: str) -> str:
    return issue_dev_token(JWT_SECRET, user, name=OWNER_NAME)


@pytest.fixture
def bea_token() -> str:
    return issue_dev_token(JWT_SECRET, BEA, name="Bea")


@pytest_asyncio.fixture(loop_scope="package")
async def owner(editor_server, owner_token) -> AsyncIterator[Rest]:
    async with Rest(editor_server.url, owner_token) as rest:
        yield rest


@pytest_asyncio.fixture(loop_scope="package")
async def signed_in(new_context) -> AsyncIterator[Callable[[str], Awaitable[BrowserContext]]]:
    """`await signed_in(token)`: a browser profile of that user, closed after the test (its tabs
    would otherwise keep reconnecting to a server that is gone)."""
    made: list[BrowserContext] = []

    async def make(token: str) -> BrowserContext:
        made.append(await new_context(token))
        return made[-1]

    yield make
    for context in made:
        await context.close()


async def shared_project(owner: Rest, bea_token: str, role: str, files: dict[str, str]) -> str:
    """A project with these files in its code, shared with Bea in `role`."""
    project_id = await owner.plain_project("Shared code")
    await owner.call("PUT", f"/api/projects/{project_id}/draft", json={"files": files, "version": 0})
    invitation = await owner.call("POST", f"/api/projects/{project_id}/invitations", json={"role": role})
    async with Rest(str(owner.http.base_url), bea_token) as as_bea:
        await as_bea.call("POST", "/api/invitations/accept", json={"token": invitation["token"]})
    return project_id


async def open_file(context: BrowserContext, base_url: str, project_id: str, path: str) -> Page:
    """The project open on `path`, with the keyboard in the editor at the end of the file."""
    page = await open_project(context, base_url, project_id)
    await page.locator(f'#file-tree [data-path="{path}"]').click()
    await page.locator("#code-path").get_by_text(path, exact=True).wait_for()
    await page.locator("#code-editor .cm-content").click()
    await page.keyboard.press("Control+End")
    return page


async def go_to_line_end(page: Page, line: int) -> None:
    # As a click there would: arrow keys move by wrapped lines, which depend on the pane's width.
    await page.evaluate(LINE_END, line)


async def go_offline(page: Page) -> None:
    # Chromium's offline mode refuses new connections but leaves an open WebSocket alone (it only
    # holds its frames back): the tab drops its socket, as a lost network would close it.
    await page.context.set_offline(True)
    await page.evaluate("() => forgeEditor.page.doc.drop()")
    await wait_code_synced(page, "reconnecting")


async def draft_file(owner: Rest, project_id: str, path: str) -> str:
    draft = await owner.call("GET", f"/api/projects/{project_id}/draft")
    return str(draft["files"][path])


async def same_everywhere(pages: tuple[Page, ...], owner: Rest, project_id: str, path: str) -> str:
    """Waits until every editor and the server's draft hold the same text; returns it."""
    deadline = time.monotonic() + DRAFT_FOLLOWS_S
    while True:
        texts = [await editor_text(page) for page in pages] + [await draft_file(owner, project_id, path)]
        if len(set(texts)) == 1 or time.monotonic() > deadline:
            assert len(set(texts)) == 1, texts
            return texts[0]
        await asyncio.sleep(0.2)


async def type_in_turns(pages: tuple[Page, ...], texts: tuple[str, ...], chunk: int) -> None:
    """Each page types its text, `chunk` keys at a time, all pages at once in every round."""
    for start in range(0, max(map(len, texts)), chunk):
        await asyncio.gather(
            *(
                page.keyboard.type(text[start : start + chunk])
                for page, text in zip(pages, texts, strict=True)
            )
        )


async def test_two_people_typing_into_one_file_at_once_end_with_the_same_text(
    editor_server, signed_in, owner, owner_token, bea_token
):
    project_id = await shared_project(owner, bea_token, "EDITOR", {NOTES: "# Notes\n"})
    ada = await open_file(await signed_in(owner_token), editor_server.url, project_id, NOTES)
    bea = await open_file(await signed_in(bea_token), editor_server.url, project_id, NOTES)
    typed = ("abcdefghij" * 50, "0123456789" * 50)

    await type_in_turns((ada, bea), typed, chunk=25)

    text = await same_everywhere((ada, bea), owner, project_id, NOTES)
    assert sorted(text) == sorted("# Notes\n" + "".join(typed))


async def test_each_person_sees_the_others_cursor_with_their_name(
    editor_server, signed_in, owner, owner_token, bea_token
):
    project_id = await shared_project(owner, bea_token, "EDITOR", {APP: APP_CODE})
    ada = await open_file(await signed_in(owner_token), editor_server.url, project_id, APP)
    bea = await open_file(await signed_in(bea_token), editor_server.url, project_id, APP)

    await go_to_line_end(bea, 8)  # <p>{count}</p>
    await bea.keyboard.press("Enter")
    await bea.keyboard.type("<p>Clicked {count} times")  # the closing tag comes by itself
    await bea.keyboard.press("Shift+Control+ArrowLeft")  # "times" selected
    await go_to_line_end(ada, 4)  # const [count, setCount] = useState(0);
    await ada.keyboard.press("Enter")
    await ada.keyboard.type("const add = () => setCount(count + 1")

    await ada.locator(CURSOR_LABEL, has_text="Bea").wait_for()
    await bea.locator(CURSOR_LABEL, has_text=OWNER_NAME).wait_for()
    await same_everywhere((ada, bea), owner, project_id, APP)
    await save_screenshot(ada, "coediting.png")
    # Back from a lost connection, Bea's cursor shows again without her moving it.
    await go_offline(bea)
    await ada.locator(CURSOR_LABEL, has_text="Bea").wait_for(state="detached")
    await bea.context.set_offline(False)
    await ada.locator(CURSOR_LABEL, has_text="Bea").wait_for()


async def test_a_tab_offline_for_a_while_merges_its_edits_when_it_is_back(
    editor_server, signed_in, owner, owner_token, bea_token
):
    project_id = await shared_project(owner, bea_token, "EDITOR", {NOTES: "# Notes\n"})
    ada = await open_file(await signed_in(owner_token), editor_server.url, project_id, NOTES)
    bea = await open_file(await signed_in(bea_token), editor_server.url, project_id, NOTES)
    await go_offline(bea)
    offline_until = time.monotonic() + 5

    while time.monotonic() < offline_until:
        await type_in_turns((ada, bea), ("ada ", "bea "), chunk=4)
        await asyncio.sleep(0.2)
    await wait_code_synced(bea, "reconnecting")  # still offline: nothing went through
    assert "bea" not in await editor_text(ada)
    assert "ada" not in await editor_text(bea)
    await bea.context.set_offline(False)

    await wait_code_synced(bea, "live")
    text = await same_everywhere((ada, bea), owner, project_id, NOTES)
    assert text.count("ada ") == text.count("bea ") > 5


async def test_a_viewer_reads_the_code_but_cannot_change_it_until_made_editor(
    editor_server, signed_in, owner, owner_token, bea_token
):
    project_id = await shared_project(owner, bea_token, "VIEWER", {NOTES: "# Notes\n"})
    bea = await open_file(await signed_in(bea_token), editor_server.url, project_id, NOTES)
    content = bea.locator("#code-editor .cm-content")
    read_only = bea.locator(".code-path").get_by_text("read only")
    assert await content.get_attribute("aria-readonly") == "true"
    assert await read_only.is_visible()

    await bea.keyboard.type("not mine to change")

    assert await editor_text(bea) == "# Notes\n"
    await owner.call("PATCH", f"/api/projects/{project_id}/members/{BEA}", json={"role": "EDITOR"})
    await bea.locator("#code-editor .cm-content:not([aria-readonly])").wait_for()
    assert await read_only.is_hidden()
    await bea.keyboard.type("mine now")
    assert await same_everywhere((bea,), owner, project_id, NOTES) == "# Notes\nmine now"


async def test_an_edit_the_server_refuses_is_taken_back(editor_server, signed_in, owner, bea_token):
    project_id = await shared_project(owner, bea_token, "VIEWER", {NOTES: "# Notes\n"})
    bea = await open_file(await signed_in(bea_token), editor_server.url, project_id, NOTES)

    # Past the read-only editor, as a tab would be whose role changed while it typed.
    await bea.evaluate(
        f"() => forgeEditor.page.doc.doc.getMap('files').get({NOTES!r}).insert(0, 'sneaked in ')"
    )

    assert await same_everywhere((bea,), owner, project_id, NOTES) == "# Notes\n"
    assert await bea.locator("#code-editor .cm-content").get_attribute("aria-readonly") == "true"


async def test_the_assistant_shows_as_a_cursor_where_a_run_writes_until_it_ends(
    editor_server, signed_in, owner, owner_token
):
    project_id = await owner.plain_project("Watched run")
    page = await open_project(await signed_in(owner_token), editor_server.url, project_id)
    assistant = page.locator(CURSOR_LABEL, has_text="Assistant")

    await send_prompt(page, "A counter app with buttons to add and subtract")

    await assistant.wait_for()
    written = await page.locator("#code-path").text_content()
    assert written and await page.locator(f'#file-tree [data-path="{written}"] .written').count() == 1
    await wait_finished(page)
    await assistant.wait_for(state="detached")
