"""Calling a provider's REST API for an import, with the user's token: every way it can go wrong
becomes an `ImportFailed` whose message the user reads as the import's `error`."""

from __future__ import annotations

from typing import TypeVar

import httpx
import msgspec

T = TypeVar("T")

CONNECT_TIMEOUT_SECONDS = 10.0
READ_TIMEOUT_SECONDS = 30.0
USER_AGENT = "ForgeAI-imports"


class ImportFailed(Exception):
    """The import cannot be done; the message says why, for the user."""


def provider_client(base_url: str, headers: dict[str, str]) -> httpx.AsyncClient:
    """A client for one provider's API; redirects are followed (a renamed repository answers 301),
    and httpx drops the Authorization header when a redirect leaves the API's origin."""
    return httpx.AsyncClient(
        base_url=base_url.rstrip("/"),
        headers={"User-Agent": USER_AGENT, **headers},
        timeout=httpx.Timeout(READ_TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS),
        follow_redirects=True,
    )


class ProviderApi:
    """GET requests to one provider (`name` as the user knows it), with bounded response bodies."""

    def __init__(self, client: httpx.AsyncClient, name: str, max_body_bytes: int) -> None:
        self.client = client
        self.name = name
        self.max_body_bytes = max_body_bytes

    async def get(self, path: str, what: str, shape: type[T]) -> T:
        """The JSON body of `GET path`, as `shape`; `what` names the resource in error messages."""
        body = await self._body(path, what)
        try:
            return msgspec.json.decode(body, type=shape)
        except msgspec.ValidationError as error:
            raise ImportFailed(f"{self.name} answered in a shape we did not expect ({error}).") from None
        except msgspec.DecodeError:
            raise ImportFailed(f"{self.name} answered with something that is not JSON.") from None

    async def _body(self, path: str, what: str) -> bytes:
        try:
            async with self.client.stream("GET", path) as response:
                if response.status_code != httpx.codes.OK:
                    raise ImportFailed(self.refusal(response, what))
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > self.max_body_bytes:
                        raise ImportFailed(
                            f"The {what} is too large to import "
                            f"(more than {self.max_body_bytes // (1024 * 1024)} MB from {self.name})."
                        )
                return bytes(body)
        except httpx.TimeoutException:
            raise ImportFailed(f"{self.name} did not answer in time; try again later.") from None
        except httpx.HTTPError as error:
            raise ImportFailed(
                f"Could not reach {self.name} ({type(error).__name__}); try again later."
            ) from None

    def refusal(self, response: httpx.Response, what: str) -> str:
        status = response.status_code
        if status == httpx.codes.UNAUTHORIZED:
            return f"{self.name} refused the stored token (401): connect your {self.name} account again."
        if status == httpx.codes.TOO_MANY_REQUESTS or (
            status == httpx.codes.FORBIDDEN and response.headers.get("x-ratelimit-remaining") == "0"
        ):
            return f"{self.name}'s rate limit was reached ({status}); try again later."
        if status == httpx.codes.FORBIDDEN:
            return f"{self.name} denied access to the {what} (403): your account cannot read it."
        if status == httpx.codes.NOT_FOUND:
            return f"{self.name} has no {what} that your account can see (404)."
        if status >= httpx.codes.INTERNAL_SERVER_ERROR:
            return f"{self.name} answered with an error ({status}); try again later."
        return f"{self.name} refused to send the {what} ({status})."
