"""Fan-out in one process: one feed per project with tabs here (channels/feed.py), many tabs per
feed. A feed starts with its project's first tab here and stops with its last."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from channels.broker import Broker
from channels.feed import ProjectFeed
from channels.presence import Presence
from channels.tab import Tab
from domain.enums import ProjectRole
from domain.ids import ProjectId


class ProjectHub:
    def __init__(self, broker: Broker, presence: Presence) -> None:
        self.broker = broker
        self.presence = presence
        self.feeds: dict[ProjectId, ProjectFeed] = {}
        self._starting: dict[ProjectId, asyncio.Future[ProjectFeed]] = {}

    async def join(self, project_id: ProjectId, tab: Tab) -> ProjectFeed:
        """Registers the tab, whose user the caller found may watch; from now on the tab gets
        every frame the feed delivers."""
        feed = self.feeds.get(project_id)
        if feed is None:
            feed = await self._start_feed(project_id)
        feed.tabs.add(tab)  # no await since the feed started: nothing slipped past the tab
        return feed

    async def leave(self, project_id: ProjectId, tab: Tab) -> None:
        feed = self.feeds.get(project_id)
        if feed is None:
            return
        feed.tabs.discard(tab)
        if not feed.tabs and project_id not in self._starting:
            del self.feeds[project_id]
            await feed.stop()

    async def role_of(
        self, project_id: ProjectId, user_id: str, check: Callable[[], Awaitable[ProjectRole | None]]
    ) -> ProjectRole | None:
        """The user's role on the project, None if they may not watch it: from the project's feed
        here when it knows, else from `check` (the database). A feed that was already here
        remembers what the check found, unless a member event passed meanwhile; a feed started
        later may have missed the events between the check and its start, so it does not."""
        feed = self.feeds.get(project_id)
        if feed is None:
            return await check()
        if feed.watchers.knows(user_id):
            return feed.watchers.role_of(user_id)
        version = feed.watchers.version
        role = await check()
        if role is not None and self.feeds.get(project_id) is feed:
            feed.watchers.learn(user_id, role, version)
        return role

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
