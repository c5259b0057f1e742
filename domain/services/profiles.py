"""How people are shown: the name and picture their latest token carried, kept per person so
that members lists, `hello` and invitations show them to the others of their projects."""

from __future__ import annotations

from domain.entities import Profile
from domain.ids import UserId
from domain.services.base import Service


class ProfileService(Service):
    async def remember(self, user_id: UserId, name: str | None, image_url: str | None) -> None:
        """Keeps what the token says; a token without either keeps what an earlier one said
        (development tokens rarely carry a name, and a Clerk instance may stop adding one)."""
        if name is None and image_url is None:
            return
        async with self.storage.transaction():
            known = (await self.storage.profiles.get_many([user_id])).get(user_id)
            if known is not None and (known.name, known.image_url) == (name, image_url):
                return
            await self.storage.profiles.save(
                Profile(user_id=user_id, name=name, image_url=image_url, updated_at=self.clock.now())
            )
