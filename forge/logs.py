"""Log lines as text (the default) or as one JSON object per line, carrying the id of the request
or run they were written for.

A leaf module (standard library only), so a `forge worker` sets up its logs without importing the
server. The ids live in context variables: the server's request-id middleware sets `REQUEST_ID`
for an HTTP request or a WebSocket connection (server/request_ids.py), the run executor sets
`RUN_ID` while it executes a run (workers/runner.py). Tasks started meanwhile inherit them, so the
lines of a run's heartbeat or of a tab's reader carry them too. The formatters read them when a
line is written, which is on the logging call's own task: handlers here are synchronous.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Literal

LogFormat = Literal["text", "json"]

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("forge_request_id", default=None)
RUN_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("forge_run_id", default=None)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@contextmanager
def bound(variable: contextvars.ContextVar[str | None], value: str) -> Iterator[None]:
    """`variable` is `value` inside the block, and what it was after it."""
    token = variable.set(value)
    try:
        yield
    finally:
        variable.reset(token)


def detached() -> contextvars.Context:
    """The current context without a request or run id, for a task that outlives the request that
    happens to start it (a project's feed, started by its first tab, serves every later tab)."""
    context = contextvars.copy_context()
    context.run(REQUEST_ID.set, None)
    context.run(RUN_ID.set, None)
    return context


def current_ids() -> dict[str, str]:
    ids = {"request_id": REQUEST_ID.get(), "run_id": RUN_ID.get()}
    return {name: value for name, value in ids.items() if value is not None}


class TextFormatter(logging.Formatter):
    """Today's lines, with the ids at the end of the first line when there are any."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        ids = current_ids()
        return line if not ids else line + " [" + " ".join(f"{k}={v}" for k, v in ids.items()) + "]"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the ids, and the exception's text."""

    def format(self, record: logging.LogRecord) -> str:
        written = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        entry: dict[str, str] = {
            "time": written.replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **current_ids(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, log_format: LogFormat) -> None:
    """One handler on the root logger, writing to stderr in the chosen format. In JSON, uvicorn's
    loggers (access log included) are left without handlers of their own (server/serving.py), so
    their lines come up to this one too."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
