"""The page's two prompt boxes, the create form's and the chat's: one length check with the same
words before anything is sent, and Send held back while there are no credits, saying when the next
one comes back in the reader's own time."""

from __future__ import annotations

import pytest

from tests.browser.editor import Rest, local_time, open_project, send_prompt

pytestmark = pytest.mark.asyncio(loop_scope="package")

FREE_CREDITS = 5
ZONE = "Asia/Kolkata"  # UTC+05:30: a time shown in UTC would not match


async def test_both_prompt_boxes_refuse_a_bad_length_in_the_same_words_before_sending(
    idle_server, new_context, token
):
    async with Rest(idle_server.url, token) as rest:
        project_id = await rest.plain_project("Lengths")
        context = await new_context(token)
        page = await context.new_page()
        await page.goto(f"{idle_server.url}/")
        create = page.get_by_role("textbox", name="What should it be?")
        create_error = page.locator("#new-prompt-error")

        await create.fill("ab")
        await create.press("Enter")
        create_short = await create_error.text_content()
        await create.fill("x" * 1001)
        await create.press("Enter")
        create_long = await create_error.text_content()
        tab = await open_project(context, idle_server.url, project_id)
        chat_error = tab.locator("#prompt-error")
        await send_prompt(tab, "   ")
        chat_short = await chat_error.text_content()
        await send_prompt(tab, "x" * 10_001)
        chat_long = await chat_error.text_content()

        assert (create_short, create_long) == (
            "Too short: write at least 3 characters.",
            "Too long: write at most 1,000 characters.",
        )
        assert (chat_short, chat_long) == (
            "Too short: write at least 1 character.",
            "Too long: write at most 10,000 characters.",
        )
        assert await create_error.get_attribute("class") == await chat_error.get_attribute("class") == "error"
        assert [p["name"] for p in await rest.call("GET", "/api/projects")] == ["Lengths"]
        assert await rest.messages(project_id) == []
    await context.close()


async def test_with_no_credits_left_send_waits_and_says_when_one_comes_back_in_local_time(
    idle_server, new_context, token
):
    async with Rest(idle_server.url, token) as rest:
        for _ in range(FREE_CREDITS):
            await rest.call("POST", "/api/projects", json={"message": "a to-do list app"})
        project_id = await rest.plain_project("Broke")
        usage = await rest.call("GET", "/api/usage")
        expected = f"Out of credits: the next one comes back at {local_time(usage['resetsAt'], ZONE)}."
        context = await new_context(token, timezone_id=ZONE, locale="en-US")
        page = await context.new_page()
        await page.goto(f"{idle_server.url}/")

        await page.locator("#new-prompt-credits").get_by_text(expected).wait_for()
        create_enabled = await page.get_by_role("button", name="Create project").is_enabled()
        tab = await open_project(context, idle_server.url, project_id)
        await tab.locator("#prompt-credits").get_by_text(expected).wait_for()
        await send_prompt(tab, "A counter app")  # Enter sends nothing either

        assert not create_enabled
        assert not await tab.get_by_role("button", name="Send").is_enabled()
        assert await tab.get_by_role("textbox", name="Message the assistant").input_value() == "A counter app"
        assert await rest.messages(project_id) == []
    await context.close()


async def test_a_prompt_sent_during_a_reply_says_it_waits_behind_it(idle_server, new_context, token):
    # No worker here: the first prompt's run stays ahead, as a reply still being written does.
    async with Rest(idle_server.url, token) as rest:
        project_id = await rest.plain_project("Queue")
        context = await new_context(token)
        tab = await open_project(context, idle_server.url, project_id)
        await send_prompt(tab, "A counter app with buttons to add and subtract")
        await tab.locator("#run-stage").get_by_text("Queued: waiting for a worker…").wait_for()

        await send_prompt(tab, "Make the buttons bigger")

        notice = tab.locator("#prompt-notice")
        await notice.get_by_text("queued behind the current reply", exact=False).wait_for()
        await (
            tab.locator("#run-stage")
            .get_by_text("1 more message queued behind this reply", exact=False)
            .wait_for()
        )
        notes = tab.locator('#messages li[data-role="USER"] [data-note="queued"]')
        assert (
            await notice.text_content()
            == "Sent. It is queued behind the current reply and starts when that one ends."
        )
        assert await notes.count() == 1
        second = tab.locator('#messages li[data-role="USER"]').nth(1)
        assert (
            await second.locator('[data-note="queued"]').text_content() == "Queued behind the current reply"
        )
        assert len(await rest.messages(project_id)) == 2
    await context.close()


async def test_the_create_form_offers_the_plans_models_and_builds_with_the_one_chosen(
    idle_server, new_context, token
):
    async with Rest(idle_server.url, token) as rest:
        allowed = (await rest.call("GET", "/api/usage"))["allowedModels"]
        context = await new_context(token)
        page = await context.new_page()
        await page.goto(f"{idle_server.url}/")
        picker = page.get_by_label("Model")
        await picker.locator("option").nth(len(allowed)).wait_for(state="attached")

        offered = await picker.locator("option").all_text_contents()
        await picker.select_option("claude-haiku-5-5")
        await page.get_by_role("textbox", name="What should it be?").fill("A counter app with buttons")
        await page.get_by_role("button", name="Create project").click()
        await page.wait_for_url("**/#/projects/*")
        project_id = page.url.rsplit("/", 1)[-1]

        assert offered == ["Default", *allowed]
        assert (await rest.call("GET", f"/api/projects/{project_id}"))[
            "modelPreference"
        ] == "claude-haiku-5-5"
    await context.close()
