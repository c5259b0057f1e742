"""Working together in the editor: an owner shares a project through the Share dialog, a second
person accepts the link and watches the same run, and changes of role or removal reach her tab at
once; invite links that no longer work; shared projects in the list, which follows sharing and
credits live. Saves the screenshots of the dialog and of two people watching that the README
shows."""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import Page

from server.auth import issue_dev_token
from tests.browser.editor import (
    Rest,
    last_reply,
    open_project,
    save_screenshot,
    send_prompt,
    wait_connected,
    wait_finished,
)
from tests.conftest import JWT_SECRET

pytestmark = pytest.mark.asyncio(loop_scope="package")

BEA = "user_bea"
OWNER_NAME = "Ada Lovelace"
NOT_VALID = "This invite link is not valid any more (it may have been revoked, used up or expired)."
# A role change or a removal reaches the tab through the channel: well within this, with no reload.
AT_ONCE_MS = 5_000
SAME_DOCUMENT = "() => window.forgeSameDocument === true"


@pytest.fixture
def owner_token(user: str) -> str:
    return issue_dev_token(JWT_SECRET, user, name=OWNER_NAME)


@pytest.fixture
def bea_token() -> str:
    return issue_dev_token(JWT_SECRET, BEA, name="Bea")


async def create_link_in_dialog(page: Page, role: str) -> str:
    """Opens the Share dialog, makes a link with `role` and copies it; returns what was copied."""
    await page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    await page.get_by_role("button", name="Share").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Role", exact=True).select_option(role)
    await dialog.get_by_role("button", name="Create invite link").click()
    await dialog.get_by_role("button", name="Copy").click()
    await dialog.get_by_text("Copied.").wait_for()
    copied: str = await page.evaluate("() => navigator.clipboard.readText()")
    assert copied == await dialog.get_by_label("Invite link").input_value()
    return copied


async def accept(page: Page, link: str) -> None:
    await page.goto(link)
    await page.get_by_role("heading", name="You were invited to a project").wait_for()
    await page.get_by_role("button", name="Accept").click()


async def watch_the_reply_grow(tabs: tuple[Page, ...]) -> list[set[int]]:
    """The lengths of the reply's text each tab showed while it streamed."""
    growing: list[set[int]] = [set() for _ in tabs]
    while True:
        states = await asyncio.gather(*(last_reply(tab) for tab in tabs))
        for seen, (status, text) in zip(growing, states, strict=True):
            if status != "COMPLETE" and text:
                seen.add(len(text))
        if all(status == "COMPLETE" for status, _ in states):
            return growing
        await asyncio.sleep(0.01)


async def test_an_invited_editor_watches_a_run_then_is_made_viewer_and_removed(
    editor_server, new_context, owner_token, bea_token
):
    owner_context, bea_context = await new_context(owner_token), await new_context(bea_token)
    async with Rest(editor_server.url, owner_token) as rest:
        project_id = await rest.plain_project("Together")
        owner = await open_project(owner_context, editor_server.url, project_id)
        link = await create_link_in_dialog(owner, "EDITOR")
        assert link.startswith(f"{editor_server.url}/invite/")
        bea = await bea_context.new_page()

        await accept(bea, link)

        await wait_connected(bea)
        assert bea.url == f"{editor_server.url}/#/projects/{project_id}"  # the token left the address
        await owner.locator(f'#members li[data-user-id="{BEA}"][data-role="EDITOR"]').wait_for()
        await save_screenshot(owner, "sharing.png")
        await owner.keyboard.press("Escape")

        await send_prompt(owner, "A counter app with buttons to add and subtract")
        growing = await watch_the_reply_grow((owner, bea))
        texts = [await wait_finished(tab) for tab in (owner, bea)]
        reply = await rest.final_reply(project_id)
        assert all(len(seen) >= 2 for seen in growing), growing
        assert texts == [reply["content"], reply["content"]]
        labels = [
            await tab.locator("#presence .avatar:not(.self)").get_attribute("aria-label")
            for tab in (owner, bea)
        ]
        assert [label.split(",")[0] for label in labels] == ["Bea", OWNER_NAME]
        authors = [
            await tab.locator('#messages [data-role="USER"] .author').text_content() for tab in (owner, bea)
        ]
        assert authors == ["You", OWNER_NAME]
        await bea.locator(".chat-scroll").evaluate("(scroller) => { scroller.scrollTop = 0; }")  # the prompt
        await save_screenshot(bea, "watching-together.png")

        await bea.evaluate("() => { window.forgeSameDocument = true; }")
        role_of_bea = owner.get_by_role("dialog").get_by_label("Role of Bea")
        await owner.get_by_role("button", name="Share").click()
        await role_of_bea.select_option("VIEWER")
        await bea.get_by_text(f"You can view this project. Its owner {OWNER_NAME} or an editor").wait_for(
            timeout=AT_ONCE_MS
        )
        assert await bea.get_by_role("textbox", name="Message the assistant").is_hidden()
        await role_of_bea.select_option("EDITOR")
        await bea.get_by_role("textbox", name="Message the assistant").wait_for(timeout=AT_ONCE_MS)
        assert await bea.evaluate(SAME_DOCUMENT)

        await owner.get_by_role("button", name="Remove Bea").click()

        await bea.get_by_text("You no longer have access to Together.").wait_for(timeout=AT_ONCE_MS)
        assert bea.url == f"{editor_server.url}/#/"
        await owner.locator(f'#members li[data-user-id="{BEA}"]').wait_for(state="detached")
    assert link.rsplit("/", 1)[1] not in editor_server.log.read_text()
    await owner_context.close()
    await bea_context.close()


async def test_a_revoked_invite_link_says_it_is_not_valid(editor_server, new_context, token, bea_token):
    owner_context, bea_context = await new_context(token), await new_context(bea_token)
    async with Rest(editor_server.url, token) as rest:
        project_id = await rest.plain_project("Revoked")
        owner = await open_project(owner_context, editor_server.url, project_id)
        link = await create_link_in_dialog(owner, "VIEWER")
        await owner.get_by_role("dialog").get_by_role("button", name="Revoke the Viewer link").click()
        await owner.get_by_text("No open invite links.").wait_for()
        bea = await bea_context.new_page()

        await accept(bea, link)

        await bea.get_by_text(NOT_VALID).wait_for()
    async with Rest(editor_server.url, bea_token) as as_bea:
        assert project_id not in [project["id"] for project in await as_bea.call("GET", "/api/projects")]
    await owner_context.close()
    await bea_context.close()


async def test_the_list_shows_projects_shared_with_the_user_with_their_role(
    editor_server, new_context, token, bea_token
):
    async with Rest(editor_server.url, token) as owner, Rest(editor_server.url, bea_token) as as_bea:
        shared = {}
        for role in ("EDITOR", "VIEWER"):
            project_id = await owner.plain_project(f"Shared as {role.lower()}")
            invitation = await owner.call(
                "POST", f"/api/projects/{project_id}/invitations", json={"role": role}
            )
            await as_bea.call("POST", "/api/invitations/accept", json={"token": invitation["token"]})
            shared[role] = project_id
        own = await as_bea.plain_project("Bea's own")
    context = await new_context(bea_token)
    page = await context.new_page()

    await page.goto(f"{editor_server.url}/")

    editor, viewer = (
        page.locator(f'#project-list li[data-project-id="{shared[role]}"]') for role in ("EDITOR", "VIEWER")
    )
    await editor.wait_for()
    assert await page.locator(f'#project-list li[data-project-id="{own}"] .badge').count() == 0
    assert await editor.locator(".badge").text_content() == "Shared with you · Editor"
    assert await viewer.locator(".badge").text_content() == "Shared with you · Viewer"
    assert await editor.get_by_role("button").all_text_contents() == ["Rename"]
    assert await viewer.get_by_role("button").count() == 0
    await context.close()


async def test_a_viewer_sees_the_project_read_only_and_can_leave_it(
    editor_server, new_context, owner_token, bea_token
):
    async with Rest(editor_server.url, owner_token) as owner, Rest(editor_server.url, bea_token) as as_bea:
        project_id = await owner.plain_project("Look only")
        invitation = await owner.call(
            "POST", f"/api/projects/{project_id}/invitations", json={"role": "VIEWER"}
        )
        await as_bea.call("POST", "/api/invitations/accept", json={"token": invitation["token"]})
        context = await new_context(bea_token)
        page = await open_project(context, editor_server.url, project_id)
        read_only = f"You can view this project. Its owner {OWNER_NAME} or an editor can change it."
        await page.get_by_text(read_only).wait_for()
        assert await page.get_by_role("button", name="Rename").count() == 0

        await page.get_by_role("button", name="Members").click()
        await page.get_by_role("dialog").get_by_role("button", name="Leave project").click()

        await page.get_by_text("You left Look only.").wait_for()
        assert project_id not in [project["id"] for project in await as_bea.call("GET", "/api/projects")]
    await context.close()


async def test_the_list_gains_a_project_shared_with_the_user_and_loses_it_without_a_reload(
    editor_server, new_context, owner_token, bea_token
):
    async with Rest(editor_server.url, owner_token) as owner, Rest(editor_server.url, bea_token) as as_bea:
        project_id = await owner.plain_project("Arrives live")
        invitation = await owner.call(
            "POST", f"/api/projects/{project_id}/invitations", json={"role": "EDITOR"}
        )
        context = await new_context(bea_token)
        page = await context.new_page()
        await page.goto(f"{editor_server.url}/")
        await page.locator("#project-list li:not(:has-text('Loading…'))").first.wait_for()
        await page.evaluate("() => { window.forgeSameDocument = true; }")
        item = page.locator(f'#project-list li[data-project-id="{project_id}"]')

        await as_bea.call("POST", "/api/invitations/accept", json={"token": invitation["token"]})
        await item.wait_for(timeout=AT_ONCE_MS)
        await owner.call("DELETE", f"/api/projects/{project_id}/members/{BEA}")
        await item.wait_for(state="detached", timeout=AT_ONCE_MS)

        assert await page.evaluate(SAME_DOCUMENT)
    await context.close()


async def test_a_member_s_prompt_shows_at_once_in_the_owner_s_credits(
    editor_server, new_context, owner_token, bea_token
):
    async with Rest(editor_server.url, owner_token) as owner, Rest(editor_server.url, bea_token) as as_bea:
        project_id = await owner.plain_project("Spends the owner's credits")
        invitation = await owner.call(
            "POST", f"/api/projects/{project_id}/invitations", json={"role": "EDITOR"}
        )
        await as_bea.call("POST", "/api/invitations/accept", json={"token": invitation["token"]})
        context = await new_context(owner_token)
        page = await context.new_page()
        await page.goto(f"{editor_server.url}/")
        await page.locator('#credits[data-credits-remaining="5"]').wait_for()

        await as_bea.call("POST", f"/api/projects/{project_id}/messages", json={"value": "A counter app"})

        await page.locator('#credits[data-credits-remaining="4"]').wait_for(timeout=AT_ONCE_MS)
    await context.close()
