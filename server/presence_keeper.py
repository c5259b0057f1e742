"""Keeps this process's presence entries alive, and tells tabs about the tabs of processes that
stopped refreshing theirs (a server that died)."""

from __future__ import annotations

import asyncio
import logging

from channels.broker import Broker
from channels.frames import PresenceLeft, encode
from channels.hub import ProjectHub
from channels.presence import Presence

logger = logging.getLogger("forge.server")


async def keep_presence(presence: Presence, hub: ProjectHub, broker: Broker, interval: float) -> None:
    """Refreshes every `interval` seconds until cancelled; a failed round is tried again."""
    while True:
        await asyncio.sleep(interval)
        try:
            await presence.refresh([(p, tab.client_id) for p, tab in hub.tabs()])
            for gone in await presence.reap():
                left = encode(PresenceLeft(client_id=gone.client_id, count=gone.count))
                await broker.broadcast(gone.project_id, left.encode())
        except Exception:  # presence must outlive a failed round
            logger.exception("presence refresh failed")
