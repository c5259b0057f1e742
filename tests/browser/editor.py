"""What the browser tests do and read on the editor's page, and the REST calls they check against."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.async_api import BrowserContext, Page

from tests.conftest import SSL_CONTEXT

# The reply's text as the page holds it: on screen it is Markdown, rendered.
LAST_REPLY = """() => {
  const replies = forgeEditor.page.view.messages.filter((m) => m.role === "ASSISTANT");
  const last = replies[replies.length - 1];
  return last ? [last.status, last.content] : [null, ''];
}"""
FILE_PATHS = "() => [...document.querySelectorAll('#file-tree [data-path]')].map((b) => b.dataset.path)"
# The text of the file in the code editor, from CodeMirror itself (its DOM draws only what is in view).
EDITOR_TEXT = """async () => {
  const { EditorView } = await import("/editor/vendor/editor-libs.js");
  const editor = document.querySelector("#code-editor .cm-editor");
  return EditorView.findFromDOM(editor).state.doc.toString();
}"""


class Rest:
    """The API as the test's own client, to set things up and to know the expected outcome."""

    def __init__(self, base_url: str, token: str) -> None:
        self.http = httpx.AsyncClient(
            base_url=base_url, timeout=10, verify=SSL_CONTEXT, headers={"Authorization": f"Bearer {token}"}
        )

    async def __aenter__(self) -> Rest:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.http.aclose()

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.http.request(method, path, **kwargs)
        assert response.status_code < 400, response.text
        return response.json()

    async def plain_project(self, name: str = "Browser test") -> str:
        """A project with no message and no run: nothing happens until a tab sends a prompt."""
        project = await self.call("POST", "/api/projects", json={"name": name, "framework": "REACT"})
        return str(project["id"])

    async def add_version(self, project_id: str, title: str, files: dict[str, str]) -> dict[str, Any]:
        """A reply stored as given with a fragment of `files` (no credit, no run), previewed from
        its own stored files (/preview/versions/{id}/); the fragment."""
        message = await self.call(
            "POST",
            f"/api/projects/{project_id}/messages",
            json={"content": f"Version {title}", "role": "ASSISTANT", "type": "RESULT"},
        )
        body = {"sandboxUrl": "webcontainer://local", "title": title, "files": files, "framework": "REACT"}
        path = f"/api/messages/{message['id']}/fragment"
        fragment = await self.call("PUT", path, json=body)
        body["sandboxUrl"] = f"{str(self.http.base_url).rstrip('/')}/preview/versions/{fragment['id']}/"
        return dict(await self.call("PUT", path, json=body))

    async def messages(self, project_id: str) -> list[dict[str, Any]]:
        page = await self.call("GET", f"/api/projects/{project_id}/messages")
        return list(page["items"])

    async def final_reply(self, project_id: str) -> dict[str, Any]:
        replies = [m for m in await self.messages(project_id) if m["role"] == "ASSISTANT"]
        assert replies, "the run wrote no reply"
        return replies[-1]


async def dev_token(base_url: str) -> str:
    async with httpx.AsyncClient(base_url=base_url, verify=SSL_CONTEXT) as http:
        response = await http.post("/api/dev/token")
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


async def open_project(context: BrowserContext, base_url: str, project_id: str) -> Page:
    page = await context.new_page()
    await page.goto(f"{base_url}/#/projects/{project_id}")
    await wait_connected(page)
    await wait_code_synced(page)
    return page


async def wait_connected(page: Page, state: str = "live") -> None:
    await page.locator(f'#connection[data-state="{state}"]').wait_for()


async def wait_code_synced(page: Page, state: str = "live") -> None:
    """The shared code's socket is in `state` ("live": synced with the server)."""
    await page.locator(f'#code-status[data-state="{state}"]').wait_for(state="attached")


async def send_prompt(page: Page, text: str) -> None:
    prompt = page.get_by_role("textbox", name="Message the assistant")
    await prompt.fill(text)
    await prompt.press("Enter")


async def last_reply(page: Page) -> tuple[str | None, str]:
    status, text = await page.evaluate(LAST_REPLY)
    return status, text


async def wait_streaming(page: Page) -> str:
    """Waits until the reply has some text but is not finished; returns that text."""
    while True:
        status, text = await last_reply(page)
        assert status != "COMPLETE", "the run ended before the test saw it stream"
        if text:
            return text
        await asyncio.sleep(0.01)


async def wait_finished(page: Page) -> str:
    await page.locator('#run-stage[data-status="COMPLETED"]').wait_for()
    await page.locator('#messages li[data-role="ASSISTANT"][data-status="COMPLETE"]').last.wait_for()
    _, text = await last_reply(page)
    return text


async def file_paths(page: Page) -> list[str]:
    paths: list[str] = await page.evaluate(FILE_PATHS)
    return sorted(paths)


async def editor_text(page: Page) -> str:
    text: str = await page.evaluate(EDITOR_TEXT)
    return text


DOCS = Path(__file__).resolve().parents[2] / "docs"


async def save_screenshot(page: Page, name: str) -> None:
    """Refreshes the README's screenshot `docs/<name>` when FORGE_TEST_SCREENSHOTS=1; otherwise a
    test run leaves the checkout as it found it."""
    if os.environ.get("FORGE_TEST_SCREENSHOTS") == "1":
        await page.screenshot(path=DOCS / name)


def local_time(iso: str, zone: str) -> str:
    """What the page (dom.js, formatTime) shows for `iso` in an en-US browser in `zone`: the hour on
    the same day, else the date too."""
    moment = datetime.fromisoformat(iso).astimezone(ZoneInfo(zone))
    hour = f"{moment:%I:%M %p}"
    if moment.date() == datetime.now(ZoneInfo(zone)).date():
        return hour
    return f"{moment:%b} {moment.day}, {hour}"
