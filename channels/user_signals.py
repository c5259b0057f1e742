"""People's own channels through the broker: each user has an unsequenced channel on which the
services' signals (domain/signals.py) reach that user's `/ws/me` tabs in every process. It is a
broker channel like a project's, under a name no project can have, so it travels the same way on
memory, one Redis server and a Redis Cluster (where the name is its shard)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence

import msgspec

from channels.broker import Broker, Listener
from channels.publisher import BROKER_ERRORS
from domain.ids import ProjectId, UserId
from domain.signals import AnyUserSignal

logger = logging.getLogger("forge.channels")

USER_CHANNELS = uuid.UUID("5a0f1c4e-2b7d-4d6a-9f0e-8c3b1a2d4e6f")
"""The namespace of users' channel names: UUIDv5 names never meet the UUIDv7 ids of projects."""

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(AnyUserSignal)


def user_channel(user_id: UserId) -> ProjectId:
    return ProjectId(uuid.uuid5(USER_CHANNELS, user_id))


class BrokerUserSignals:
    """The domain's UserSignals, told to every listening process through the broker."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker

    async def send(self, signals: Sequence[AnyUserSignal]) -> None:
        for signal in signals:
            try:
                await self.broker.broadcast(user_channel(signal.user_id), _encoder.encode(signal))
            except BROKER_ERRORS:  # the channel gets a fresh hello when it reconnects
                logger.warning("telling %s of a change failed", signal.user_id, exc_info=True)


async def listen_for_signals(
    broker: Broker, user_id: UserId, heard: Callable[[AnyUserSignal], None]
) -> Listener:
    """Calls `heard` with each signal for the user; returns the listener, to unlisten it."""

    def listener(_epoch: str, frame: bytes, _committed_at: float | None) -> None:
        try:
            heard(_decoder.decode(frame))
        except msgspec.ValidationError:  # another version's signal: the next hello covers it
            logger.warning("a signal for %s could not be read", user_id)

    await broker.listen(user_channel(user_id), listener)
    return listener
