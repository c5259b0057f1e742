"""The browser editor: a no-build page at `/` (and at `/invite/{token}`, where it accepts an invite
link) with its assets under `/editor/`, and the dev-only
`POST /api/dev/token` that lets the page sign itself in when Clerk is not configured and the
browser runs on this machine."""

from __future__ import annotations

import asyncio
import ipaddress
import mimetypes
from pathlib import Path
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from domain.rules.files import path_error
from server.auth import DEV_USER_ID, ensure_dev_secret, issue_dev_token

EDITOR_DIR = Path(__file__).resolve().parent.parent / "static" / "editor"
# Third-party code, built from editor-bundle/ and committed (`make editor-bundle`).
VENDOR_DIR = EDITOR_DIR / "vendor"
INDEX = "index.html"

# The page loads only its own files; it talks to this server over fetch and WebSocket, and frames
# previews, which may be this server's `/preview/` (itself sandboxed) or a sandbox provider's URL.
# Images may come from any https address: people's avatars are hosted by the identity provider.
EDITOR_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "connect-src 'self' ws: wss:; frame-src 'self' http: https:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
EDITOR_HEADERS = {
    "Content-Security-Policy": EDITOR_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class DevToken(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    token: str
    user_id: str


class EditorController(Controller):
    path = ""
    tags = ["editor"]
    include_in_schema = False

    @get("/", operation_id="editorPage")
    async def page(self) -> Response[bytes]:
        return await _asset(INDEX)

    @get("/invite/{token:str}", operation_id="editorInvitePage")
    async def invite_page(self) -> Response[bytes]:
        """The same page: its script reads the token from the address and offers to accept it. The
        token stays out of the HTML, and the page's `no-referrer` keeps it from other sites."""
        return await _asset(INDEX)

    @get("/editor/{name:str}", operation_id="editorAsset")
    async def asset(self, name: FromPath[str]) -> Response[bytes]:
        return await _asset(name)

    @get("/editor/vendor/{name:str}", operation_id="editorVendorAsset")
    async def vendor_asset(self, name: FromPath[str]) -> Response[bytes]:
        return await _asset(name, VENDOR_DIR)


class DevTokenController(Controller):
    """Mounted under `/api`; exists only in development authentication (404 with Clerk)."""

    path = "/dev"
    tags = ["editor"]
    include_in_schema = False

    @post("/token", operation_id="issueDevToken", status_code=200, opt={"exclude_from_auth": True})
    async def token(self, state: State, request: Request[Any, Any, Any]) -> DevToken:
        """A token for the development user, so the embedded editor needs no sign-in.

        Only for a browser on this machine that addressed this machine: a server listening on
        every interface in development (the Docker image does) must not hand the development user
        to the whole network, and a page whose own name was rebound to 127.0.0.1 (DNS rebinding)
        must not get it either.
        """
        settings = state.settings
        client = request.client.host if request.client else None
        if settings.uses_clerk or not is_loopback(client) or not is_local_name(request.url.hostname):
            raise NotFoundException()
        secret = await asyncio.to_thread(ensure_dev_secret, settings)
        return DevToken(token=issue_dev_token(secret, DEV_USER_ID), user_id=DEV_USER_ID)


def is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def is_local_name(hostname: str | None) -> bool:
    """The `Host` the browser asked for names this machine: `localhost` or a loopback address."""
    if hostname is None:
        return False
    name = hostname.strip("[]").lower()
    return name == "localhost" or name.endswith(".localhost") or is_loopback(name)


async def _asset(name: str, folder: Path = EDITOR_DIR) -> Response[bytes]:
    # `name` is one path segment (the route's `str`), so it cannot leave `folder`; the checks
    # below also refuse dot files, names no file can have (too long: the file system would raise
    # instead of answering) and anything that is not a plain file (so `/editor/vendor` is a 404).
    if name.startswith(".") or "/" in name or path_error(name) is not None:
        raise NotFoundException()
    target = folder / name
    if not target.is_file():
        raise NotFoundException()
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if media_type == "application/javascript":  # Litestar adds the charset of text/* itself
        media_type += "; charset=utf-8"
    body = await asyncio.to_thread(target.read_bytes)
    return Response(body, media_type=media_type, headers=EDITOR_HEADERS)
