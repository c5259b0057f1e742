"""The project view: two tabs watching one run, tabs that lose their connection mid-stream, a run
whose server crashed and is retried, and a project built from the list page."""

from __future__ import annotations

import asyncio
import signal

import pytest

from tests.browser.conftest import EditorServer, serve_editor
from tests.browser.editor import (
    Rest,
    dev_token,
    file_paths,
    last_reply,
    open_project,
    send_prompt,
    wait_code_synced,
    wait_connected,
    wait_finished,
    wait_streaming,
)

pytestmark = pytest.mark.asyncio(loop_scope="package")

DROP = "() => { forgeEditor.page.channel.drop(); return forgeEditor.page.channel.state; }"


async def test_two_tabs_watch_one_run_stream_and_see_each_other(editor_server, new_context):
    # Signs itself in as the development user, as a person opening the page would be.
    context = await new_context()
    token = await dev_token(editor_server.url)
    async with Rest(editor_server.url, token) as rest:
        project_id = await rest.plain_project("Two tabs")
        first = await open_project(context, editor_server.url, project_id)
        second = await open_project(context, editor_server.url, project_id)
        tabs = (first, second)

        await send_prompt(first, "A counter app with buttons to add and subtract")
        growing: list[set[int]] = [set(), set()]
        while True:
            states = await asyncio.gather(*(last_reply(tab) for tab in tabs))
            for seen, (status, text) in zip(growing, states, strict=True):
                if status != "COMPLETE" and text:
                    seen.add(len(text))
            if all(status == "COMPLETE" for status, _ in states):
                break
            await asyncio.sleep(0.01)
        texts = [await wait_finished(tab) for tab in tabs]
        reply = await rest.final_reply(project_id)

    assert all(len(seen) >= 2 for seen in growing), growing
    assert texts == [reply["content"], reply["content"]]
    expected_files = sorted(reply["fragment"]["files"])
    assert [await file_paths(tab) for tab in tabs] == [expected_files, expected_files]
    ids = [await tab.locator("#presence").get_attribute("data-self-id") for tab in tabs]
    assert await first.locator(f'#presence [data-client-id="{ids[1]}"]').count() == 1
    assert await second.locator(f'#presence [data-client-id="{ids[0]}"]').count() == 1
    await context.close()


async def test_a_tab_resumes_after_the_server_restarts_mid_stream(restartable_server, new_context, token):
    server: EditorServer = restartable_server
    context = await new_context(token)
    async with Rest(server.url, token) as rest:
        project_id = await rest.plain_project("Restart")
        tab = await open_project(context, server.url, project_id)

        await send_prompt(tab, "Build a to-do list app with a clean, minimal design")
        await wait_streaming(tab)
        # SIGTERM: tabs are told 1001 at once; the run finishes in the shutdown grace period.
        stopping = asyncio.create_task(asyncio.to_thread(server.stop))
        await wait_connected(tab, "reconnecting")
        assert await stopping in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once done
        await asyncio.to_thread(server.start)
        text = await wait_finished(tab)
        reply = await rest.final_reply(project_id)

    assert text == reply["content"]
    # The embedded broker lost its history with the process: the tab redraws from a `hello`.
    # Redis kept it: the tab resumes with `since` and gets exactly the events it missed.
    resyncs = "1" if server.env.get("FORGE_REDIS_URL") is None else None
    assert await tab.locator("#connection").get_attribute("data-resyncs") == resyncs
    await wait_code_synced(tab)  # the shared code has a socket of its own, back on its own time
    assert await file_paths(tab) == sorted(reply["fragment"]["files"])
    await context.close()


@pytest.fixture
def crashable_server(tmp_path):
    """A server of its own whose runs are taken again soon after their worker dies (the shortest
    lease), streaming slowly enough that the retried run is still going when the tab is back."""
    yield from serve_editor(tmp_path, FORGE_WORKER_LEASE_SECONDS="3", FORGE_OFFLINE_WORD_DELAY_MS="40")


async def test_a_run_whose_server_crashed_says_it_is_retried_and_the_badge_returns_to_live(
    crashable_server, new_context, token
):
    server: EditorServer = crashable_server
    context = await new_context(token)
    async with Rest(server.url, token) as rest:
        project_id = await rest.plain_project("Crash")
        tab = await open_project(context, server.url, project_id)
        await send_prompt(tab, "Build a to-do list app with a clean, minimal design")
        await wait_streaming(tab)

        assert server.process is not None
        server.process.kill()  # no shutdown: the run's lease runs out and the next worker takes it again
        await asyncio.to_thread(server.process.wait)
        await asyncio.to_thread(server.start)
        await tab.locator("#run-stage").get_by_text("Interrupted, retrying (attempt 2)").wait_for()
        retrying = await tab.locator(
            '#messages li[data-role="ASSISTANT"] [data-note="retried"]'
        ).text_content()
        text = await wait_finished(tab)
        await wait_connected(tab, "live")
        reply = await rest.final_reply(project_id)

    assert retrying == "Interrupted, retrying (attempt 2)"
    assert text == reply["content"]
    assert await tab.locator("#connection").text_content() == "Live"
    assert await tab.locator("#connection").get_attribute("data-resyncs") == "1"
    note = tab.locator('#messages li[data-role="ASSISTANT"] [data-note="retried"]')
    assert await note.text_content() == "Written after an interruption (attempt 2)"
    await context.close()


async def test_a_tab_whose_socket_drops_mid_stream_resumes_without_repeats(editor_server, new_context, token):
    context = await new_context(token)
    async with Rest(editor_server.url, token) as rest:
        project_id = await rest.plain_project("Dropped socket")
        tab = await open_project(context, editor_server.url, project_id)

        await send_prompt(tab, "Build a to-do list app with a clean, minimal design")
        await wait_streaming(tab)
        drops = 0
        while drops < 3 and (await last_reply(tab))[0] != "COMPLETE":
            assert await tab.evaluate(DROP) == "reconnecting"
            drops += 1
            await wait_connected(tab, "live")  # resumed from history, not redrawn from a snapshot
            await asyncio.sleep(0.1)
        text = await wait_finished(tab)
        reply = await rest.final_reply(project_id)

    assert drops >= 1
    assert text == reply["content"]
    await context.close()


async def test_a_project_built_from_the_list_page_shows_its_files_and_preview(editor_server, new_context):
    context = await new_context()
    page = await context.new_page()
    await page.goto(f"{editor_server.url}/")

    await page.get_by_role("textbox", name="What should it be?").fill(
        "Build a to-do list app with a clean, minimal design"
    )
    await page.get_by_label("Framework").select_option("REACT")
    await page.get_by_role("button", name="Create project").click()
    await wait_connected(page)
    await wait_finished(page)

    preview = page.frame_locator("#preview-frame")
    await preview.get_by_role("heading", name="To-do list").wait_for()
    assert "index.html" in await file_paths(page)
    assert await page.locator("#code-path").text_content() == "index.html"
    assert await page.get_by_role("button", name="Download zip").is_enabled()
    # A narrow window: one column, nothing wider than the window, the prompt box still reachable.
    await page.set_viewport_size({"width": 400, "height": 780})
    assert await page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    await page.get_by_role("textbox", name="Message the assistant").focus()
    await page.get_by_role("link", name="← Projects").click()
    await page.locator("#project-list a.name").first.wait_for()
    await context.close()
