"""What a person's name and picture may be. They come from token claims (`name`, `picture` or
`image_url` of a Clerk session token), which an identity provider signs but users write: a claim
that does not fit is dropped, never an error, so an odd profile never locks anyone out."""

from __future__ import annotations

MAX_NAME_LENGTH = 100
MAX_IMAGE_URL_LENGTH = 2048
IMAGE_URL_SCHEMES = ("https://", "http://")


def display_name(claim: object) -> str | None:
    """The name, its blanks trimmed, if it is 1 to 100 printable characters."""
    if not isinstance(claim, str):
        return None
    name = " ".join(claim.split())
    return name if 0 < len(name) <= MAX_NAME_LENGTH and name.isprintable() else None


def image_url(claim: object) -> str | None:
    """An http(s) address of at most 2048 characters without blanks, which a page can show."""
    if not isinstance(claim, str) or len(claim) > MAX_IMAGE_URL_LENGTH:
        return None
    if not claim.lower().startswith(IMAGE_URL_SCHEMES) or not claim.isprintable() or " " in claim:
        return None
    return claim
