"""The two log formats (forge/logs.py): what a line holds, and which ids it carries."""

from __future__ import annotations

import json
import logging
import sys

from forge.logs import REQUEST_ID, RUN_ID, JsonFormatter, TextFormatter, bound, detached


def record(message: str = "run %s done", *args: object, exc_info: object = None) -> logging.LogRecord:
    return logging.getLogger("forge.worker").makeRecord(
        "forge.worker", logging.WARNING, __file__, 1, message, args or ("r1",), exc_info
    )


def test_a_json_line_holds_time_level_logger_message_and_the_ids_set_meanwhile():
    with bound(REQUEST_ID, "req-1"), bound(RUN_ID, "run-1"):
        line = json.loads(JsonFormatter().format(record()))

    assert line.pop("time").endswith("Z")
    assert line == {
        "level": "WARNING",
        "logger": "forge.worker",
        "message": "run r1 done",
        "request_id": "req-1",
        "run_id": "run-1",
    }


def test_a_json_line_carries_the_exception_text():
    try:
        raise ValueError("broken")
    except ValueError:
        line = json.loads(JsonFormatter().format(record(exc_info=sys.exc_info())))

    assert line["exception"].startswith("Traceback")
    assert line["exception"].endswith("ValueError: broken")


def test_a_text_line_keeps_its_look_and_ends_with_the_ids_when_there_are_any():
    formatter, line = TextFormatter(), record()
    plain = formatter.format(line)
    with bound(RUN_ID, "run-1"):
        with_id = formatter.format(line)

    assert plain.endswith(" WARNING forge.worker: run r1 done")
    assert with_id == plain + " [run_id=run-1]"


def test_a_detached_context_carries_no_ids():
    with bound(REQUEST_ID, "req-1"):
        context = detached()

        assert context.run(REQUEST_ID.get) is None
        assert REQUEST_ID.get() == "req-1"
