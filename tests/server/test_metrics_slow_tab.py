"""A tab closed with 4408 for falling too far behind is counted."""

from __future__ import annotations

import msgspec
import pytest

from domain.events import MessageDelta
from domain.rules.streaming import stream_fence
from server.app import build_app, configure
from tests.metrics import scrape, value
from tests.streams import claim
from tests.ws import open_tab

BUFFER_BYTES = 64 * 1024
CHUNK = "x" * 16 * 1024
DELTAS_PER_WRITE = 16
WRITES = 64
"""16 MiB to a tab that reads nothing: past what the sockets between hold, then past its buffer."""


@pytest.fixture
def app(settings, clock):
    small = msgspec.structs.replace(settings, ws_send_buffer_bytes=BUFFER_BYTES)
    app = build_app(small.max_body_bytes)
    configure(app, small, clock)
    return app


async def test_a_tab_closed_for_being_too_slow_is_counted(app, api, base_url, client):
    project = await api.project()
    stalled = await open_tab(base_url, project["id"], max_queue=1)
    await stalled.next_of("hello")
    run = await claim(app, project["id"])
    assert run.reply_message_id is not None
    deltas = [MessageDelta(message_id=run.reply_message_id, offset=0, text=CHUNK)] * DELTAS_PER_WRITE
    before = value(await scrape(client), "forge_slow_tabs_closed_total")

    for _ in range(WRITES):
        await app.state.web.core.publisher.publish_live(
            run.project_id, deltas, stream_fence(run.id, run.attempts)
        )

    assert await stalled.closed_with(timeout=20) == 4408
    assert value(await scrape(client), "forge_slow_tabs_closed_total") == before + 1
