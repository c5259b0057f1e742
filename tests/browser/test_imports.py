"""From the page: a GitHub repository imported as the project's code and a Figma design that goes
with the next message (connecting with a pasted token), an image attached by address, and a design
screenshot that needs the Pro plan. GitHub and Figma are local stand-ins speaking their APIs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from tests.browser.conftest import EditorServer, serve_editor
from tests.browser.editor import Rest, file_paths, open_project, send_prompt
from tests.fakes.figma_server import FakeFigma, todo_design
from tests.fakes.github_server import FakeGitHub

pytestmark = pytest.mark.asyncio(loop_scope="package")

GITHUB_TOKEN = "gho_browser_token"
FIGMA_TOKEN = "figu_browser_token"
FIGMA_KEY = "aBcDeFgHiJkLmNoPqRsT"
REPO_FILES = {
    "index.html": "<!doctype html><h1>Todos</h1>\n",
    "src/App.jsx": "export default function App() { return <h1>Todos</h1> }\n",
}
IMAGE = "https://example.com/shots/home.png"


@pytest_asyncio.fixture(scope="module", loop_scope="package")
async def providers() -> AsyncIterator[tuple[FakeGitHub, FakeFigma]]:
    async with FakeGitHub(token=GITHUB_TOKEN) as github, FakeFigma(token=FIGMA_TOKEN) as figma:
        github.add_repository("octo/todo", dict(REPO_FILES))
        figma.files[FIGMA_KEY] = todo_design()
        yield github, figma


@pytest.fixture(scope="module")
def import_server(
    tmp_path_factory: pytest.TempPathFactory, providers: tuple[FakeGitHub, FakeFigma]
) -> Iterator[EditorServer]:
    github, figma = providers
    yield from serve_editor(
        tmp_path_factory.mktemp("imports"),
        FORGE_GITHUB_API_URL=github.base_url,
        FORGE_FIGMA_API_URL=figma.base_url,
    )


async def connect_and_import(tab, provider: str, token: str, address: str) -> None:
    dialog = tab.get_by_role("dialog", name="Import")
    await dialog.get_by_label(f"{provider} access token").fill(token)
    await dialog.get_by_role("button", name=f"Connect {provider}").click()
    await dialog.get_by_text(f"{provider}: connected.").wait_for()
    await dialog.locator("#import-url").fill(address)
    await dialog.get_by_role("button", name="Import", exact=True).click()
    await dialog.locator('#import-list li[data-status="COMPLETE"]').wait_for()


async def test_a_github_repository_imported_from_the_page_becomes_the_projects_code(
    import_server, new_context, token
):
    async with Rest(import_server.url, token) as rest:
        project_id = await rest.plain_project("From GitHub")
        context = await new_context(token)
        tab = await open_project(context, import_server.url, project_id)
        await tab.get_by_role("button", name="Import").click()

        await connect_and_import(tab, "GitHub", GITHUB_TOKEN, "https://github.com/octo/todo")

        await tab.locator('#file-tree [data-path="src/App.jsx"]').wait_for()
        assert await file_paths(tab) == sorted(REPO_FILES)
        draft = await rest.call("GET", f"/api/projects/{project_id}/draft")
        assert draft["files"] == REPO_FILES
        status = await tab.locator("#import-list li").first.inner_text()
        assert "GitHub: octo/todo" in status and "2 files are now the project's code" in status
    await context.close()


async def test_a_figma_design_imported_from_the_page_goes_with_the_next_message(
    import_server, new_context, token
):
    async with Rest(import_server.url, token) as rest:
        project_id = await rest.plain_project("From Figma")
        context = await new_context(token)
        tab = await open_project(context, import_server.url, project_id)
        await tab.get_by_role("button", name="Import").click()
        await tab.get_by_label("Figma file").check()

        await connect_and_import(
            tab, "Figma", FIGMA_TOKEN, f"https://www.figma.com/design/{FIGMA_KEY}/Todo-App"
        )
        await tab.get_by_role("dialog", name="Import").get_by_role("button", name="Close").click()
        chip = await tab.locator("#prompt-attachments").inner_text()
        await send_prompt(tab, "Build this design")
        await tab.locator(
            '#messages li[data-role="USER"] .message-attachments [data-type="FIGMA_FILE"]'
        ).wait_for()

        sent = (await rest.messages(project_id))[0]
        imports = await rest.call("GET", f"/api/projects/{project_id}/imports")
    assert "Figma: Todo App" in chip
    assert [(a["type"], a["importId"]) for a in sent["attachments"]] == [
        ("FIGMA_FILE", imports["items"][0]["id"])
    ]
    assert await tab.locator("#prompt-attachments li").count() == 0
    await context.close()


async def test_an_image_attached_by_its_address_goes_with_the_prompt(import_server, new_context, token):
    async with Rest(import_server.url, token) as rest:
        project_id = await rest.plain_project("With an image")
        context = await new_context(token)
        tab = await open_project(context, import_server.url, project_id)

        await tab.get_by_role("button", name="Attach image").click()
        await tab.get_by_label("Image address").fill(IMAGE)
        await tab.get_by_label("Image address").press("Enter")
        await tab.locator("#prompt-attachments").get_by_text("Image: home.png").wait_for()
        await send_prompt(tab, "Make it look like this screenshot")
        shown = tab.locator('#messages li[data-role="USER"] .message-attachments [data-type="IMAGE"] a')
        await shown.wait_for()

        sent = (await rest.messages(project_id))[0]
    assert [(a["type"], a["url"]) for a in sent["attachments"]] == [("IMAGE", IMAGE)]
    assert await shown.get_attribute("href") == IMAGE
    await context.close()


async def test_a_design_screenshot_without_pro_is_refused_in_plain_words(import_server, new_context, token):
    async with Rest(import_server.url, token) as rest:
        context = await new_context(token)
        page = await context.new_page()
        await page.goto(f"{import_server.url}/")
        await page.get_by_label("Design screenshot (optional)").fill(IMAGE)
        await page.get_by_role("textbox", name="What should it be?").fill("A landing page like this design")

        await page.get_by_role("button", name="Create project").click()

        error = page.locator("#new-image-error")
        await error.get_by_text("Pro plan", exact=False).wait_for()
        assert await error.text_content() == (
            "Building from a screenshot needs the Pro plan, and yours is Free: "
            "remove the address, or upgrade."
        )
        assert await rest.call("GET", "/api/projects") == []
        assert (await rest.call("GET", "/api/usage"))["creditsRemaining"] == 5
    await context.close()
