"""The assistant's replies: Markdown rendered and sanitized with highlighted code, a person's words
left as typed, the offline model's replies labelled as such, and Stop."""

from __future__ import annotations

import pytest

from tests.browser.editor import Rest, last_reply, open_project, send_prompt, wait_finished, wait_streaming

pytestmark = pytest.mark.asyncio(loop_scope="package")

REPLY = """**Features**

- kept in `localStorage`

```js
const answer = 42; // the answer
```

<script>window.hacked = true</script>
<img src="x" onerror="window.hacked = true">
[a trap](javascript:window.hacked=true)
"""
PROMPT = "Build a to-do list app with a clean, minimal design"


async def test_a_reply_shows_as_sanitized_markdown_with_highlighted_code(editor_server, new_context, token):
    async with Rest(editor_server.url, token) as rest:
        project_id = await rest.plain_project("Markdown")
        url = f"/api/projects/{project_id}/messages"
        await rest.call("POST", url, json={"content": "**as typed**", "role": "USER", "type": "RESULT"})
        await rest.call("POST", url, json={"content": REPLY, "role": "ASSISTANT", "type": "RESULT"})
    context = await new_context(token)

    tab = await open_project(context, editor_server.url, project_id)

    reply = tab.locator('#messages li[data-role="ASSISTANT"] .message-text')
    code = reply.locator("pre code.language-js")
    assert await reply.locator("strong").text_content() == "Features"
    assert await reply.locator("li code").text_content() == "localStorage"
    assert await code.locator(".tok-keyword").first.text_content() == "const"
    assert await code.locator(".tok-number").text_content() == "42"
    assert await code.locator(".tok-comment").text_content() == "// the answer"
    assert await reply.locator("script, [onerror], a[href^='javascript']").count() == 0
    assert await tab.evaluate("() => window.hacked") is None
    person = tab.locator('#messages li[data-role="USER"] .message-text')
    assert (await person.text_content(), await person.locator("strong").count()) == ("**as typed**", 0)
    await context.close()


async def test_an_offline_reply_is_labelled_as_the_offline_demo_model(editor_server, new_context, token):
    context = await new_context(token)
    async with Rest(editor_server.url, token) as rest:
        project_id = await rest.plain_project("Offline")
        tab = await open_project(context, editor_server.url, project_id)

        await send_prompt(tab, PROMPT)
        await wait_finished(tab)
        live = await tab.locator('#messages li[data-role="ASSISTANT"] .model-label').text_content()
        reply = await rest.final_reply(project_id)
        await tab.reload()  # from the snapshot now, not from the run's events
        await tab.locator("#messages .fragment-card").wait_for()

    label = tab.locator('#messages li[data-role="ASSISTANT"] .model-label')
    assert (live, await label.text_content()) == ("offline demo model", "offline demo model")
    assert reply["fragment"]["metadata"]["offline"] is True
    markdown = tab.locator('#messages li[data-role="ASSISTANT"] .message-text strong')
    assert await markdown.first.text_content() == "Features"
    await context.close()


async def test_stop_ends_the_reply_where_it_got(editor_server, new_context, token):
    context = await new_context(token)
    async with Rest(editor_server.url, token) as rest:
        project_id = await rest.plain_project("Stopped")
        tab = await open_project(context, editor_server.url, project_id)
        await send_prompt(tab, PROMPT)
        await wait_streaming(tab)

        await tab.get_by_role("button", name="Stop the current reply").click()

        await tab.locator('#run-stage[data-status="CANCELLED"]').wait_for()
        await tab.locator('#messages li[data-role="ASSISTANT"] [data-note="stopped"]').wait_for()
        await tab.locator('#messages li[data-role="ASSISTANT"][data-status="COMPLETE"]').wait_for()
        reply = await rest.final_reply(project_id)
        runs = await rest.call("GET", f"/api/projects/{project_id}/runs")

    assert runs["items"][0]["status"] == "CANCELLED"
    assert (await last_reply(tab))[1] == reply["content"]
    assert "**Files**" not in reply["content"]  # stopped before the end
    assert await tab.locator("#stop").is_hidden()
    stage = await tab.locator("#run-stage .stage-text").text_content()
    assert stage == "Stopped: the reply is kept as far as it got"
    await context.close()


async def test_the_offline_model_edits_its_app_and_declines_for_free_what_it_cannot_do(
    editor_server, new_context, token
):
    context = await new_context(token)
    async with Rest(editor_server.url, token) as rest:
        project_id = await rest.plain_project("Offline edits")
        tab = await open_project(context, editor_server.url, project_id)
        await send_prompt(tab, PROMPT)
        await wait_finished(tab)

        await send_prompt(tab, "Change the accent colour to green")
        await tab.locator("#messages .fragment-card", has_text="Accent colour green").wait_for()
        credits = await tab.locator("#credits").get_attribute("data-credits-remaining")
        versions = await tab.locator("#messages .fragment-card").count()
        await send_prompt(tab, "Make the header blink")
        declined = tab.locator('#messages li[data-role="ASSISTANT"]').last
        await declined.get_by_text("cannot make this change").wait_for()

        assert await tab.locator("#messages .fragment-card").count() == versions
        await tab.locator(f'#credits[data-credits-remaining="{credits}"]').wait_for()
        assert await declined.locator(".model-label").text_content() == "offline demo model"
    await context.close()
