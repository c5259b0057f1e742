"""The project list's actions, fragment history, and signing in again after signing out."""

from __future__ import annotations

import pytest

from tests.browser.editor import Rest, editor_text, file_paths, open_project

pytestmark = pytest.mark.asyncio(loop_scope="package")

NO_PREVIEW = "webcontainer://local"
TWO_FILES = {"index.html": "<h1>Two</h1>", "two.js": "export default 2;"}


async def test_the_project_list_renames_and_deletes(idle_server, new_context, token):
    async with Rest(idle_server.url, token) as rest:
        await rest.plain_project("Old name")
        doomed = await rest.plain_project("Doomed")
        context = await new_context(token)
        page = await context.new_page()
        await page.goto(f"{idle_server.url}/")

        await page.get_by_role("button", name="Rename Old name").click()
        await page.get_by_label("New name").fill("New name")
        await page.get_by_label("New name").press("Enter")
        await page.get_by_role("link", name="New name").wait_for()
        await page.get_by_role("button", name="Delete Doomed").click()
        await page.get_by_role("button", name="Delete", exact=True).click()
        await page.locator(f'[data-project-id="{doomed}"]').wait_for(state="detached")

        names = [p["name"] for p in await rest.call("GET", "/api/projects")]
        assert names == ["New name"]
    await context.close()


async def test_history_restores_an_earlier_fragment(idle_server, new_context, token):
    async with Rest(idle_server.url, token) as rest:
        project_id = await rest.plain_project("History")
        for title, files in (("One", {"index.html": "<h1>One</h1>"}), ("Two", TWO_FILES)):
            message = await rest.call(
                "POST",
                f"/api/projects/{project_id}/messages",
                json={"content": f"Version {title}", "role": "ASSISTANT", "type": "RESULT"},
            )
            await rest.call(
                "PUT",
                f"/api/messages/{message['id']}/fragment",
                json={"sandboxUrl": NO_PREVIEW, "title": title, "files": files, "framework": "REACT"},
            )
        context = await new_context(token)
        tab = await open_project(context, idle_server.url, project_id)
        assert await file_paths(tab) == sorted(TWO_FILES)

        await tab.get_by_role("button", name="History").click()
        await tab.get_by_role("button", name="Restore One", exact=False).click()

        await tab.locator("#history-list li").nth(2).wait_for()
        await tab.locator('#file-tree [data-path="two.js"]').wait_for(state="detached")  # the code follows
        assert await file_paths(tab) == ["index.html"]
        assert await editor_text(tab) == "<h1>One</h1>"
        titles = await tab.locator("#history-list li strong").all_text_contents()
        assert titles == ["One", "Two", "One"]
    await context.close()


async def test_after_signing_out_a_pasted_token_signs_in_by_keyboard(idle_server, new_context, user, token):
    context = await new_context()
    page = await context.new_page()
    await page.goto(f"{idle_server.url}/")
    await page.locator("#account").get_by_text("dev_user").wait_for()

    await page.get_by_role("button", name="Sign out").click()
    await page.get_by_label("Session token").fill(token)
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")

    await page.locator("#account").get_by_text(user).wait_for()
    assert await page.evaluate("() => localStorage.getItem('forge.token')") == token
    await context.close()
