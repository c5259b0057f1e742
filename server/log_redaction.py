"""Logs never hold a token (API.md, Conventions): a browser's tab sends its token as `?token=` and
uvicorn writes every WebSocket handshake's URL, query included, to its log; an invite link's
secret is in its path (`/invite/{token}`), which the access log writes too.

The redaction sits in the log record factory, so it covers every record of the process, whichever
logger made it and whichever handler, formatter or JSON encoder writes it later.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "[redacted]"
_PATTERNS = (
    re.compile(r"(?i)([?&](?:access_)?token=)[^&\s\"']+"),
    re.compile(r"(?i)(bearer\s+)[\w.~+/=-]+"),
    re.compile(r"()eyJ[\w-]*\.[\w-]+\.[\w-]+"),  # a JWT anywhere else
    re.compile(r"(/invite/)[^/?#\s\"']+"),  # an invite link's secret, in its path
)
_installed = False


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(_keep_the_name, text)
    return text


def _keep_the_name(match: re.Match[str]) -> str:
    # A function, not a `\g<1>` template: a template is compiled on first use, which fails for a
    # record made while the interpreter shuts down.
    return match.group(1) + REDACTED


def install_token_redaction() -> None:
    """Once per process: later calls leave the factory as it is (tests wrap it)."""
    global _installed
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call fails where logging reports it, unchanged
            return record
        redacted = redact(message)
        if redacted != message:  # the formatted line, so a `%s` in the template stays whole
            record.msg, record.args = redacted, ()
        return record

    logging.setLogRecordFactory(factory)
