"""The page at a phone's width and at a desktop's: below 700 px the panes take turns behind Chat /
Code / Preview tabs and nothing scrolls sideways; wide, the three panes sit side by side. The
README's screenshots of both come from here."""

from __future__ import annotations

import pytest

from tests.browser.editor import save_screenshot, wait_connected, wait_finished

pytestmark = pytest.mark.asyncio(loop_scope="package")

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
FORM_INSIDE = (
    "() => document.querySelector('.create-form').getBoundingClientRect().right <= window.innerWidth"
)
PANES = ("#chat-pane", "#code-pane", "#history", "#preview-pane")
# For the screenshots: the reply's head (its label) and its Markdown at the top of the conversation.
REPLY_ON_TOP = """() => {
  document.querySelector('#messages li[data-role="ASSISTANT"]').scrollIntoView({ block: "start" });
}"""


async def visible_panes(page) -> list[str]:
    return [pane for pane in PANES if await page.locator(pane).is_visible()]


async def test_a_phone_shows_one_pane_at_a_time_behind_tabs_and_a_desktop_all_three(
    editor_server, new_context
):
    context = await new_context(viewport=PHONE)
    page = await context.new_page()
    await page.goto(f"{editor_server.url}/")
    await page.get_by_role("textbox", name="What should it be?").fill(
        "Build a to-do list app with a clean, minimal design"
    )
    list_fits = (await page.evaluate(NO_SIDEWAYS_SCROLL), await page.evaluate(FORM_INSIDE))
    await page.get_by_role("button", name="Create project").click()
    await wait_connected(page)
    await wait_finished(page)

    chat_only = await visible_panes(page)
    await page.evaluate(REPLY_ON_TOP)
    await save_screenshot(page, "phone.png")
    await page.get_by_role("tab", name="Preview").click()
    await page.frame_locator("#preview-frame").get_by_role("heading", name="To-do list").wait_for()
    preview_only = await visible_panes(page)
    await page.keyboard.press("ArrowLeft")  # the focused tab moves to Code
    code_only = await visible_panes(page)
    code_selected = await page.get_by_role("tab", name="Code").get_attribute("aria-selected")
    await page.get_by_role("tab", name="Chat").click()
    await page.get_by_role("button", name="History").click()  # the versions open on the Code tab
    await page.locator("#history-list li").first.wait_for()
    history_only = await visible_panes(page)
    await page.get_by_role("button", name="Close").click()
    project_fits = await page.evaluate(NO_SIDEWAYS_SCROLL)
    await page.set_viewport_size(DESKTOP)
    side_by_side = await visible_panes(page)

    assert list_fits == (True, True)
    assert project_fits
    assert (chat_only, preview_only, code_only) == (["#chat-pane"], ["#preview-pane"], ["#code-pane"])
    assert history_only == ["#history"]
    assert code_selected == "true"
    assert side_by_side == ["#chat-pane", "#code-pane", "#preview-pane"]
    assert not await page.locator(".pane-tabs").is_visible()
    await page.frame_locator("#preview-frame").get_by_role("heading", name="To-do list").wait_for()
    await page.evaluate(REPLY_ON_TOP)
    await save_screenshot(page, "desktop.png")
    await context.close()
