"""`/api/oauth/connections`: Figma and GitHub connections. Tokens go in, never out."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.enums import OAuthProvider
from domain.ids import UserId
from domain.inputs import NewConnection
from domain.services.oauth import OAuthService
from server.openapi import problems
from server.schemas import ConnectionList, ConnectionView, MetadataBody, Success


class OAuthController(Controller):
    path = "/oauth/connections"
    tags = ["oauth"]

    @get("/", operation_id="listConnections", responses=problems())
    async def list_connections(
        self, user_id: NamedDependency[UserId], oauth: NamedDependency[OAuthService]
    ) -> ConnectionList:
        return ConnectionList(
            items=[ConnectionView.from_entity(c) for c in await oauth.list_connections(user_id)]
        )

    @put("/{provider:str}", operation_id="storeConnection", responses=problems(404))
    async def store_connection(
        self,
        provider: FromPath[OAuthProvider],
        data: JSONBody[NewConnection],
        user_id: NamedDependency[UserId],
        oauth: NamedDependency[OAuthService],
    ) -> ConnectionView:
        """Store the connection's tokens (encrypted at rest), replacing an earlier one."""
        return ConnectionView.from_entity(await oauth.store(user_id, provider, data))

    @patch("/{provider:str}/metadata", operation_id="updateConnectionMetadata", responses=problems(404))
    async def update_metadata(
        self,
        provider: FromPath[OAuthProvider],
        data: JSONBody[MetadataBody],
        user_id: NamedDependency[UserId],
        oauth: NamedDependency[OAuthService],
    ) -> ConnectionView:
        """Replace the connection's metadata."""
        return ConnectionView.from_entity(await oauth.update_metadata(user_id, provider, data.metadata))

    @delete("/{provider:str}", operation_id="revokeConnection", responses=problems(404), status_code=200)
    async def revoke_connection(
        self,
        provider: FromPath[OAuthProvider],
        user_id: NamedDependency[UserId],
        oauth: NamedDependency[OAuthService],
    ) -> Success:
        """Forget the connection and its tokens."""
        await oauth.revoke(user_id, provider)
        return Success()
