"""Redis keys on a cluster: every key and the channel of one project share one slot, so a script
may touch them together and the node that owns them publishes the project's frames."""

from __future__ import annotations

from uuid import uuid4

from redis.crc import key_slot

from channels.redis import RedisKeys
from domain.ids import ProjectId


def test_every_key_and_the_channel_of_a_project_are_in_one_slot():
    keys, project = RedisKeys("forge:"), ProjectId(uuid4())
    names = [
        *keys.stream(project),
        keys.channel(project),
        keys.presence(project),
        keys.presence_expiry(project),
    ]

    assert len({key_slot(name.encode()) for name in names}) == 1
