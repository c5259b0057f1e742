"""WebSocket close codes of API.md, in one place."""

from __future__ import annotations

CLOSE_GOING_AWAY = 1001
"""The server is shutting down; the tab reconnects (to another server) with `since`."""
CLOSE_POLICY_VIOLATION = 1008
"""A frame that is not valid protocol: not a JSON object, or larger than 64 KiB."""
CLOSE_INTERNAL_ERROR = 1011
"""The server failed while serving the tab (the log says why); the tab reconnects with `since`."""
CLOSE_UNAUTHORIZED = 4401
"""No token, or a token that was refused."""
CLOSE_FORBIDDEN = 4403
"""The tab's user was removed from the project (or left it): their access is gone."""
CLOSE_NOT_FOUND = 4404
"""No such project, not the caller's, or it was just deleted."""
CLOSE_TOO_SLOW = 4408
"""The tab fell further behind than its buffer allows; it reconnects with `since` and resumes."""
