"""How the fake Anthropic server counts a request's input tokens, and plays the prompt cache.

Tokens are counted from each content block's JSON (`cache_control` left out) at 4 characters a
token, an image at 1,600: rougher than the real tokenizer, but the same for every request, which
is what the tests and `bench/cache_tokens.py` compare.

The cache follows Anthropic's documented rules: the request's blocks in the order tools, system,
messages; each block marked with `cache_control` writes the prefix up to it into the cache (when
that prefix holds at least `min_tokens`); a marked block also reads the longest prefix already
cached that ends at it or at one of the 20 blocks before it. Usage then says what was read from
the cache, what was written into it (from the end of what was read to the last mark), and what was
read afresh (the rest: `input_tokens`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

CHARS_PER_TOKEN = 4
IMAGE_TOKENS = 1_600
LOOKBACK_BLOCKS = 20
MIN_CACHEABLE_TOKENS = 1_024
MARK = "cache_control"


@dataclass(frozen=True)
class InputUsage:
    input_tokens: int
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0

    @property
    def total(self) -> int:
        return self.input_tokens + self.cache_read_input_tokens + self.cache_creation_input_tokens


def request_blocks(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The request's cacheable blocks, in the cache's order: tools, system, messages."""
    blocks = [dict(tool) for tool in body.get("tools", [])]
    system = body.get("system")
    if isinstance(system, str):
        blocks.append({"type": "text", "text": system})
    elif isinstance(system, list):
        blocks += system
    for message in body.get("messages", []):
        content = message["content"]
        blocks += [{"type": "text", "text": content}] if isinstance(content, str) else content
    return blocks


def block_tokens(block: dict[str, Any]) -> int:
    if block.get("type") == "image":
        return IMAGE_TOKENS
    unmarked = {k: v for k, v in block.items() if k != MARK}
    return -(-len(json.dumps(unmarked)) // CHARS_PER_TOKEN)


def count_tokens(body: dict[str, Any]) -> int:
    return sum(block_tokens(b) for b in request_blocks(body))


class PromptCache:
    """The prefixes cached so far (they never expire here: a test outlasts no 5-minute TTL)."""

    def __init__(self, min_tokens: int = MIN_CACHEABLE_TOKENS) -> None:
        self.min_tokens = min_tokens
        self._cached: set[str] = set()

    def usage(self, body: dict[str, Any], enabled: bool = True) -> InputUsage:
        blocks = request_blocks(body)
        upto, prefixes, digest = [], [], hashlib.sha256()
        for block in blocks:
            digest.update(json.dumps({k: v for k, v in block.items() if k != MARK}).encode())
            prefixes.append(digest.hexdigest())
            upto.append((upto[-1] if upto else 0) + block_tokens(block))
        total = upto[-1] if upto else 0
        marks = [i for i, block in enumerate(blocks) if MARK in block]
        if not enabled or not marks:
            return InputUsage(input_tokens=total)
        read_end = max((self._hit(prefixes, mark) for mark in marks), default=-1)
        read = upto[read_end] if read_end >= 0 else 0
        written = max(0, upto[marks[-1]] - read) if upto[marks[-1]] >= self.min_tokens else 0
        for mark in marks:
            if upto[mark] >= self.min_tokens:
                self._cached.add(prefixes[mark])
        return InputUsage(
            input_tokens=total - read - written,
            cache_read_input_tokens=read,
            cache_creation_input_tokens=written,
        )

    def _hit(self, prefixes: list[str], mark: int) -> int:
        """The end of the longest cached prefix this mark finds, or -1."""
        for index in range(mark, max(-1, mark - LOOKBACK_BLOCKS - 1), -1):
            if prefixes[index] in self._cached:
                return index
        return -1
