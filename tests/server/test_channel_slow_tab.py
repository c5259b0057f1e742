"""A tab that stops reading is closed with 4408 once its buffer is full; the others keep pace."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from server.app import build_app, configure
from tests.streams import LiveStream, claim
from tests.ws import open_tab

pytestmark = pytest.mark.cluster

BUFFER = 64
EVENTS = 3000
CHUNK = "x" * 4096  # enough bytes to fill the sockets' buffers between server and stalled tab


@pytest.fixture
def app(settings, clock):
    small = msgspec.structs.replace(settings, ws_send_buffer_frames=BUFFER)
    app = build_app(small.max_body_bytes)
    configure(app, small, clock)
    return app


async def test_a_stalled_tab_is_closed_with_4408_while_another_gets_everything(app, api, base_url):
    project = await api.project()
    stalled = await open_tab(base_url, project["id"], max_queue=1)
    steady = await open_tab(base_url, project["id"])
    await stalled.next_of("hello")
    await steady.next_of("hello")
    live = LiveStream(app, await claim(app, project["id"]))

    async def read_everything():
        return [await steady.next_of("message.delta", timeout=20) for _ in range(EVENTS)]

    reader = asyncio.create_task(read_everything())
    for n in range(EVENTS):
        await live.write(CHUNK)
        if n % 20 == 0:
            await asyncio.sleep(0.001)  # a stream's pace (the worker sends ~40 frames a second), not a flood
    received = await reader

    first = received[0]["seq"]
    assert [f["seq"] for f in received] == list(range(first, first + EVENTS))
    assert await stalled.closed_with(timeout=20) == 4408
    await steady.close()
