"""The agent worker's tests run the app with its in-process worker, at full speed."""

from __future__ import annotations

import msgspec
import pytest

from forge.settings import Settings
from tests import services
from workers.sandboxes.confinement import Confinement, ConfinementUnavailable, confinement


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(
        settings,
        worker_in_process=True,
        offline_word_delay_ms=0,
        worker_poll_seconds=0.5,
        agent_retry_first_delay_seconds=0.01,  # a retried round waits a moment, not seconds
    )


@pytest.fixture(scope="session")
def bubblewrap() -> Confinement:
    """Commands confined as the agent's are when commands are allowed: inside bubblewrap. Skips
    without it (apt-get install bubblewrap), unless FORGE_TEST_REQUIRE_SERVICES=1."""
    try:
        return confinement(allow_unconfined=False)
    except ConfinementUnavailable as error:
        services.unavailable(str(error))
        raise
