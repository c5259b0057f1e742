"""Fan-out in one process: one feed per project with tabs here (channels/feed.py), many tabs per
feed. A feed starts with its project's first tab here and stops with its last."""

from __future__ import annotations

import asyncio

from channels.broker import Broker
from channels.feed import ProjectFeed
from channels.presence import Presence
from channels.tab import Tab
from domain.ids import ProjectId


class ProjectHub:
    def __init__(self, broker: Broker, presence: Presence) -> None:
        self.broker = broker
        self.presence = presence
        self.feeds: dict[ProjectId, ProjectFeed] = {}
        self._starting: dict[ProjectId, asyncio.Future[ProjectFeed]] = {}

    async def join(self, project_id: ProjectId, tab: Tab, owner: str) -> ProjectFeed:
        """Registers the tab, whose user the caller found to be the project's `owner`; from now on
        the tab gets every frame the feed delivers."""
        feed = self.feeds.get(project_id)
        if feed is None:
            feed = await self._start_feed(project_id)
        feed.tabs.add(tab)  # no await since the feed started: nothing slipped past the tab
        feed.owner = owner
        return feed

    async def leave(self, project_id: ProjectId, tab: Tab) -> None:
        feed = self.feeds.get(project_id)
        if feed is None:
            return
        feed.tabs.discard(tab)
        if not feed.tabs and project_id not in self._starting:
            del self.feeds[project_id]
            await feed.stop()

    def owner_of(self, project_id: ProjectId) -> str | None:
        """Who may watch the project, if a feed here already knows."""
        feed = self.feeds.get(project_id)
        return None if feed is None else feed.owner

    def tabs(self) -> list[tuple[ProjectId, Tab]]:
        return [(project_id, tab) for project_id, feed in self.feeds.items() for tab in feed.tabs]

    def catch_up_all(self) -> None:
        for feed in self.feeds.values():
            feed.catch_up()

    def close_all(self, code: int) -> None:
        for feed in self.feeds.values():
            for tab in feed.tabs:
                tab.close(code)

    async def stop(self) -> None:
        for feed in list(self.feeds.values()):
            await feed.stop()
        self.feeds.clear()

    async def _start_feed(self, project_id: ProjectId) -> ProjectFeed:
        # Two tabs joining at once must share one feed, not start two.
        starting = self._starting.get(project_id)
        if starting is not None:
            return await asyncio.shield(starting)
        future: asyncio.Future[ProjectFeed] = asyncio.get_running_loop().create_future()
        self._starting[project_id] = future
        try:
            feed = ProjectFeed(project_id, self.broker, self.presence)
            await feed.start()
            self.feeds[project_id] = feed
            future.set_result(feed)
            return feed
        except BaseException as error:
            future.set_exception(error)
            raise
        finally:
            del self._starting[project_id]
