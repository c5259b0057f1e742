"""Tokens are redacted from every log record, whichever logger writes it."""

from __future__ import annotations

import logging

import pytest

from server.auth import issue_dev_token
from server.log_redaction import REDACTED, install_token_redaction
from tests.conftest import JWT_SECRET

TOKEN = issue_dev_token(JWT_SECRET, "alice")
INVITE = "Zq3x_invite-link-secret"


@pytest.mark.parametrize(
    "line",
    [
        f'127.0.0.1:5000 - "WebSocket /ws/projects/p?token={TOKEN}&since=3" [accepted]',
        f"Authorization: Bearer {TOKEN}",
        f"a token on its own: {TOKEN}",
        f'127.0.0.1:5000 - "GET /invite/{INVITE} HTTP/1.1" 200',
    ],
)
def test_a_token_in_a_log_line_is_redacted(caplog, line):
    install_token_redaction()
    with caplog.at_level(logging.INFO, logger="uvicorn.error"):
        logging.getLogger("uvicorn.error").info("%s", line)

    assert TOKEN not in caplog.text
    assert INVITE not in caplog.text
    assert REDACTED in caplog.text


def test_the_rest_of_a_line_is_kept(caplog):
    install_token_redaction()
    with caplog.at_level(logging.INFO, logger="uvicorn.error"):
        logging.getLogger("uvicorn.error").info("GET /ws/projects/p?since=3&token=%s&epoch=e", TOKEN)

    assert f"since=3&token={REDACTED}&epoch=e" in caplog.text
