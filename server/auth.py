"""Bearer tokens: Clerk session tokens (RS256) in production, HS256 dev tokens in development."""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
import time
from pathlib import Path
from typing import NamedTuple, Protocol

import jwt
from jwt import PyJWK, PyJWKClient

from domain.ids import UserId
from domain.rules.profiles import display_name, image_url
from domain.rules.user_ids import MAX_USER_ID_LENGTH, is_valid_user_id
from forge.settings import Settings

DEV_TOKEN_LIFETIME_SECONDS = 30 * 24 * 3600
BANNER_TOKEN_SECONDS = 3600
"""The token `forge serve` prints lands in terminals and their scrollback: it expires soon."""
JWKS_CACHE_SECONDS = 600
REQUIRED_CLAIMS = ["sub", "exp"]
DEV_USER_ID = "dev_user"
"""The user of the token `forge serve` prints and the editor's dev sign-in (`POST /api/dev/token`)."""


class InvalidToken(Exception):
    """The token is missing, malformed, expired or not signed by a trusted key."""


class Identity(NamedTuple):
    """Who a verified token speaks for, until when (seconds since the epoch), and how they are
    shown when the token says (`name`, `picture` or `image_url` claims)."""

    user_id: UserId
    expires_at: float
    name: str | None = None
    image_url: str | None = None


class TokenVerifier(Protocol):
    async def verify(self, token: str) -> Identity:
        """The token's user (`sub`) and expiry (`exp`), or InvalidToken."""
        ...


class DevTokenVerifier:
    """HS256 with a shared secret: `sub` and `exp` required, `iat`/`nbf` honoured when present."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    async def verify(self, token: str) -> Identity:
        try:
            claims = jwt.decode(
                token, self.secret, algorithms=["HS256"], options={"require": REQUIRED_CLAIMS}
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from None
        return _identity_of(claims)


class ClerkTokenVerifier:
    """RS256 session tokens of Clerk: signature, expiry, issuer and, if configured, `azp`."""

    def __init__(
        self,
        issuer: str,
        public_key: str | None = None,
        jwks_url: str | None = None,
        authorized_parties: frozenset[str] = frozenset(),
    ) -> None:
        self.issuer = issuer
        self.public_key = public_key
        self.authorized_parties = authorized_parties
        self._jwks = (
            PyJWKClient(jwks_url, cache_keys=True, lifespan=JWKS_CACHE_SECONDS, timeout=10)
            if jwks_url
            else None
        )

    async def verify(self, token: str) -> Identity:
        try:
            key = await self._signing_key(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                issuer=self.issuer,
                options={"require": [*REQUIRED_CLAIMS, "iss"]},
            )
        except (jwt.PyJWTError, ValueError) as error:
            raise InvalidToken(str(error)) from None
        azp = claims.get("azp")
        if self.authorized_parties and azp is not None and azp not in self.authorized_parties:
            raise InvalidToken(f"azp {azp!r} is not an authorized party")
        return _identity_of(claims)

    async def _signing_key(self, token: str) -> str | PyJWK:
        if self.public_key is not None:
            return self.public_key
        if self._jwks is None:
            raise InvalidToken("no Clerk key configured")
        # PyJWKClient fetches over blocking urllib; the keys are cached after the first call.
        return await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)


def _identity_of(claims: dict[str, object]) -> Identity:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise InvalidToken("the token has no subject")
    if not is_valid_user_id(subject):
        raise InvalidToken(f"the token's subject must be 1 to {MAX_USER_ID_LENGTH} printable characters")
    expiry = claims["exp"]  # required, and checked by the decoder to read as an integer
    if not isinstance(expiry, int | float | str):
        raise InvalidToken("the token's expiry is not a time")
    return Identity(
        UserId(subject),
        float(int(expiry)),
        name=display_name(claims.get("name")),
        image_url=image_url(claims.get("picture") or claims.get("image_url")),
    )


def issue_dev_token(
    secret: str,
    user_id: str,
    lifetime_seconds: int = DEV_TOKEN_LIFETIME_SECONDS,
    *,
    name: str | None = None,
    image_url: str | None = None,
) -> str:
    now = int(time.time())
    claims: dict[str, object] = {"sub": user_id, "iat": now, "exp": now + lifetime_seconds}
    if name is not None:
        claims["name"] = name
    if image_url is not None:
        claims["image_url"] = image_url
    return jwt.encode(claims, secret, algorithm="HS256")


def read_dev_secret(settings: Settings) -> str | None:
    """The configured secret, else the one kept in the data folder, if it was made already."""
    if settings.jwt_secret is not None:
        return settings.jwt_secret
    path = settings.dev_secret_path
    return path.read_text().strip() if path.is_file() else None


def ensure_dev_secret(settings: Settings) -> str:
    """Like read_dev_secret, making the data folder's secret on first use."""
    existing = read_dev_secret(settings)
    if existing is not None:
        return existing
    path: Path = settings.dev_secret_path
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret + "\n")
    path.chmod(0o600)
    return secret


def dev_auth_refusal(settings: Settings, host: str) -> str | None:
    """Why development authentication may not serve on `host`, if it may not: off loopback,
    every token signed with the secret is accepted from anyone who can reach the port."""
    if settings.uses_clerk or settings.dev_auth or _is_loopback_host(host):
        return None
    return (
        f"development authentication on {host}, which is not a loopback address, is refused: "
        "configure Clerk (FORGE_CLERK_ISSUER with FORGE_CLERK_JWKS_URL or FORGE_CLERK_PUBLIC_KEY), "
        "bind 127.0.0.1, or set FORGE_DEV_AUTH=true to accept it"
    )


def _is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def build_verifier(settings: Settings) -> TokenVerifier:
    """Clerk when it is configured (settings insist on its issuer), development tokens otherwise."""
    if settings.uses_clerk and settings.clerk_issuer is not None:
        return ClerkTokenVerifier(
            issuer=settings.clerk_issuer,
            public_key=settings.clerk_public_key,
            jwks_url=settings.clerk_jwks_url,
            authorized_parties=settings.clerk_authorized_parties,
        )
    return DevTokenVerifier(ensure_dev_secret(settings))
