"""Keeps people's names and pictures current: every verified token that carries them updates the
person's profile, once per change and process, not once per request."""

from __future__ import annotations

import logging

from domain.ids import UserId
from domain.services.profiles import ProfileService
from server.auth import Identity, TokenVerifier

logger = logging.getLogger("forge.server")

REMEMBERED_PEOPLE = 10_000
"""Profiles this process knows it stored; past that the oldest are forgotten (and stored again
when they come back, which costs one read)."""


class ProfileRecordingVerifier:
    """A token verifier that also records the profile the token carries."""

    def __init__(self, verifier: TokenVerifier, profiles: ProfileService) -> None:
        self.verifier = verifier
        self.profiles = profiles
        self._stored: dict[UserId, tuple[str | None, str | None]] = {}

    async def verify(self, token: str) -> Identity:
        identity = await self.verifier.verify(token)
        shown = (identity.name, identity.image_url)
        if shown != (None, None) and self._stored.get(identity.user_id) != shown:
            await self._remember(identity.user_id, shown)
        return identity

    async def _remember(self, user_id: UserId, shown: tuple[str | None, str | None]) -> None:
        try:
            await self.profiles.remember(user_id, *shown)
        except Exception:  # a profile is a courtesy: it never refuses a valid token
            logger.warning("could not store the profile of %s", user_id, exc_info=True)
            return
        self._stored.pop(user_id, None)
        self._stored[user_id] = shown
        if len(self._stored) > REMEMBERED_PEOPLE:
            del self._stored[next(iter(self._stored))]
