"""The agent worker's tests run the app with its in-process worker, at full speed."""

from __future__ import annotations

import msgspec
import pytest

from forge.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(
        settings, worker_in_process=True, offline_word_delay_ms=0, worker_poll_seconds=0.5
    )
