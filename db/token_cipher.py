"""AES-256-GCM for provider tokens at rest. The key comes from settings (or, embedded, the data
folder); a ciphertext is `version byte || 12-byte nonce || ciphertext+tag`."""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_VERSION = b"\x01"
NONCE_BYTES = 12
KEY_BYTES = 32


class InvalidKey(ValueError):
    """The key is not 32 bytes of URL-safe base64."""


def decode_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except ValueError:
        raise InvalidKey("expected 32 bytes in URL-safe base64") from None
    if len(key) != KEY_BYTES:
        raise InvalidKey(f"expected 32 bytes in URL-safe base64, got {len(key)} bytes")
    return key


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


class AesGcmTokenCipher:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: str, context: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return FORMAT_VERSION + nonce + self._aead.encrypt(nonce, plaintext.encode(), context.encode())

    def decrypt(self, ciphertext: bytes, context: str) -> str:
        if ciphertext[:1] != FORMAT_VERSION:
            raise ValueError("unknown token ciphertext format")
        nonce, sealed = ciphertext[1 : 1 + NONCE_BYTES], ciphertext[1 + NONCE_BYTES :]
        return self._aead.decrypt(nonce, sealed, context.encode()).decode()
