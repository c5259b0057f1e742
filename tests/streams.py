"""Streaming into a running app's channel the way an agent worker does: claim the project's run,
then publish live frames under its fence, and commit events through the services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from domain.entities import AgentRun
from domain.events import MessageDelta
from domain.ids import ProjectId, UserId
from domain.inputs import ProjectChanges
from domain.rules.streaming import stream_fence

LEASE = timedelta(minutes=5)


async def claim(app: Any, project_id: str) -> AgentRun:
    """The project's waiting run, claimed by a test worker: its reply message is STREAMING."""
    run = await app.state.web.core.services.agent_runs.claim_next("test-worker", LEASE)
    assert run is not None and str(run.project_id) == project_id, run
    return run


class LiveStream:
    """Deltas of a claimed run's reply, as its worker would publish them."""

    def __init__(self, app: Any, run: AgentRun) -> None:
        self.publisher = app.state.web.core.publisher
        self.run = run
        self.content = ""

    @property
    def message_id(self) -> UUID:
        assert self.run.reply_message_id is not None
        return self.run.reply_message_id

    async def write(self, text: str) -> None:
        delta = MessageDelta(message_id=self.message_id, offset=len(self.content), text=text)
        await self.publisher.publish_live(
            self.run.project_id, [delta], stream_fence(self.run.id, self.run.attempts)
        )
        self.content += text


async def rename(app: Any, project_id: str, *names: str, user: str = "alice") -> None:
    """One committed `project.updated` per name, each in its own transaction."""
    projects = app.state.web.core.services.projects
    for name in names:
        await projects.update(UserId(user), ProjectId(UUID(project_id)), ProjectChanges(name=name))
