"""Watches every log line the test suite produces for a token (API.md: logs never contain one).

In this process every log record is looked at as it is made, after the server's redaction; the
logs of the `forge` processes tests start are read from their files at the end. The session fails
if any line holds a token. The `export TOKEN=` line of `forge serve`'s banner is output for the
person at the terminal, not a log line, and is left out.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from server.log_redaction import install_token_redaction

TOKEN = re.compile(r"eyJ[\w-]*\.eyJ[\w-]*\.[\w-]+")
BANNER_LINE = re.compile(r"^\s*export TOKEN=")


class TokenWitness:
    def __init__(self) -> None:
        self.leaks: list[str] = []

    def install(self) -> None:
        """Over the server's redacting factory, as a running server has it."""
        install_token_redaction()
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            self._look_at(record)
            return record

        logging.setLogRecordFactory(factory)

    def _look_at(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging call's problem, not a leak
            return
        if TOKEN.search(message):
            self.leaks.append(f"{record.name}: {message[:200]}")

    def read_files(self, folder: Path) -> None:
        for log in folder.rglob("*.log"):
            for line in log.read_text(errors="replace").splitlines():
                if TOKEN.search(line) and not BANNER_LINE.match(line):
                    self.leaks.append(f"{log.name}: {line[:200]}")
