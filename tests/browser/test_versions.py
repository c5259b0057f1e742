"""Versions and the preview: short titles, the history beside the preview with what each version
changed, a version previewed before it is restored, the restore message in local time, the
preview's placeholder and device widths, and the console of a local preview."""

from __future__ import annotations

import pytest

from tests.browser.editor import Rest, file_paths, local_time, open_project

pytestmark = pytest.mark.asyncio(loop_scope="package")

ONE = {"index.html": "<h1>One</h1>\n<p>same</p>\n", "old.js": "export default 1;\n"}
TWO = {"index.html": "<h1>Two</h1>\n<p>same</p>\n", "two.js": "export default 2;\n"}
ZONE = "Asia/Kolkata"  # UTC+05:30: a time shown in UTC would not match
BROKEN = {
    "index.html": "<!doctype html><html><head><title>Broken</title></head><body><h1>Broken</h1><script>"
    "console.warn('careful'); for (let i = 0; i < 105; i++) console.error('boom ' + i);"
    "missingFunction();</script></body></html>"
}
# As servers before short titles cut them: inside a word, at 80 characters.
LONG_TITLE = "A counter app with buttons to add and subtract and a reset button that goes ba…"
FORGED = "() => window.postMessage({type: 'forge.preview.console', level: 'error', text: 'forged'}, '*')"


async def two_versions(rest: Rest) -> tuple[str, dict, dict]:
    project_id = await rest.plain_project("Versions")
    one = await rest.add_version(project_id, "One", ONE)
    two = await rest.add_version(project_id, "Two", TWO)
    return project_id, one, two


async def test_a_long_version_title_is_shown_cut_where_a_word_ends(idle_server, new_context, token):
    async with Rest(idle_server.url, token) as rest:
        project_id = await rest.plain_project("Titles")
        await rest.add_version(project_id, LONG_TITLE, ONE)
    context = await new_context(token)
    tab = await open_project(context, idle_server.url, project_id)

    await tab.get_by_role("button", name="History").click()
    await tab.locator("#history-list .version-title").wait_for()

    shown = "A counter app with buttons to add and subtract…"
    assert await tab.locator("#messages .fragment-title").text_content() == shown
    assert await tab.locator("#history-list .version-title").text_content() == shown
    assert await tab.locator("#history-list .version-title").get_attribute("title") == LONG_TITLE
    await context.close()


async def test_the_history_sits_beside_the_preview_and_shows_what_each_version_changed(
    idle_server, new_context, token
):
    async with Rest(idle_server.url, token) as rest:
        project_id, _, _ = await two_versions(rest)
    context = await new_context(token)
    tab = await open_project(context, idle_server.url, project_id)

    await tab.get_by_role("button", name="History").click()
    newest = tab.locator("#history-list > li").first
    await newest.get_by_role("button", name="Changes in Two", exact=False).click()
    await newest.locator(".diff-file").first.wait_for()

    history, preview = (
        await tab.locator("#history").bounding_box(),
        await tab.locator("#preview-pane").bounding_box(),
    )
    assert history and preview and history["x"] + history["width"] <= preview["x"]
    assert await tab.locator("#preview-frame").is_visible()
    files = [" ".join((await f.inner_text()).split()) for f in await newest.locator(".diff-file").all()]
    assert files == ["M index.html +1 -1", "D old.js +0 -1", "A two.js +1 -0"]
    lines = await newest.locator(".diff-line").all_text_contents()
    assert lines == ["- <h1>One</h1>\n", "+ <h1>Two</h1>\n", "  <p>same</p>\n"]
    await newest.get_by_role("button", name="two.js").click()
    assert await newest.locator(".diff-line").all_text_contents() == ["+ export default 2;\n"]
    await context.close()


async def test_a_version_is_previewed_before_it_is_restored(idle_server, new_context, token):
    async with Rest(idle_server.url, token) as rest:
        project_id, one, _ = await two_versions(rest)
        context = await new_context(token)
        tab = await open_project(context, idle_server.url, project_id)
        await tab.get_by_role("button", name="History").click()

        await tab.get_by_role("button", name="Preview One", exact=False).click()

        await tab.frame_locator("#preview-frame").get_by_role("heading", name="One").wait_for()
        assert await tab.locator("#preview-frame").get_attribute("src") == f"/preview/versions/{one['id']}/"
        banner = await tab.locator("#version-banner").text_content() or ""
        assert banner.startswith("Previewing “One” from")
        assert await file_paths(tab) == sorted(TWO)  # nothing restored
        assert len(await rest.messages(project_id)) == 2
        await tab.get_by_role("button", name="Back to the latest").click()
        await tab.frame_locator("#preview-frame").get_by_role("heading", name="Two").wait_for()
    await context.close()


async def test_a_restore_message_gives_the_versions_time_in_local_time(idle_server, new_context, token):
    async with Rest(idle_server.url, token) as rest:
        project_id, one, _ = await two_versions(rest)
        context = await new_context(token, timezone_id=ZONE, locale="en-US")
        tab = await open_project(context, idle_server.url, project_id)
        await tab.get_by_role("button", name="History").click()

        await tab.get_by_role("button", name="Restore One", exact=False).click()

        restored = tab.locator('#messages li[data-role="ASSISTANT"] .message-text').nth(2)
        await restored.get_by_text("Restored “One”", exact=False).wait_for()
        text = await restored.text_content() or ""
        assert local_time(one["createdAt"], ZONE) in text
        assert "Z" not in text.replace("“One”", "")  # no ISO time left
    await context.close()


async def test_the_preview_has_a_placeholder_then_shows_the_app_at_three_widths(
    idle_server, new_context, token
):
    async with Rest(idle_server.url, token) as rest:
        project_id = await rest.plain_project("Widths")
        context = await new_context(token, viewport={"width": 1600, "height": 800})
        tab = await open_project(context, idle_server.url, project_id)
        placeholder = await tab.locator("#preview-placeholder").inner_text()

        await rest.add_version(project_id, "One", ONE)
        frame = tab.locator("#preview-frame")
        await frame.wait_for()
        widths = {}
        for device in ("Phone", "Tablet", "Desktop"):
            await tab.get_by_role("group", name="Preview width").get_by_role("button", name=device).click()
            widths[device] = (await frame.bounding_box() or {})["width"]
        box = (await tab.locator("#preview").bounding_box() or {})["width"]

    assert placeholder.startswith("Your app appears here")
    assert (widths["Phone"], widths["Tablet"], widths["Desktop"]) == (390, min(768, box), box)
    await context.close()


async def test_a_local_preview_shows_the_apps_errors_in_its_console(idle_server, new_context, token):
    async with Rest(idle_server.url, token) as rest:
        project_id = await rest.plain_project("Console")
        context = await new_context(token)
        tab = await open_project(context, idle_server.url, project_id)
        await tab.evaluate(FORGED)  # from the page itself, not the preview: not the app's

        await rest.add_version(project_id, "Broken", BROKEN)

        console = tab.locator("#preview-console")
        await console.get_by_text("Console: 100 errors").wait_for()
        await console.locator("summary").click()
        entries = await console.locator(".console-entry").all_text_contents()
        dropped = await console.locator(".console-list > li.meta").text_content()

    assert len(entries) == 100 and dropped == "7 earlier entries left out"
    assert entries[0] == "boom 6" and "missingFunction is not defined" in entries[-1]
    assert "forged" not in entries
    await context.close()
