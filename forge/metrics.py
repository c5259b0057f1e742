"""Every Prometheus series a Forge process exposes, defined once.

A leaf module (prometheus_client and the standard library only): channels, workers and server
record into it, and a `forge worker` exposes it without importing any server module. The domain
never does: what happens there (a run changing status, a credit spent) is counted from the events
it publishes (channels/event_metrics.py).

The series live in the process's default registry. Forge never forks: each `forge serve` or
`forge worker` is one process with one registry, which is all prometheus_client's default mode
needs (its multi-process mode only matters under a server that forks its workers, such as
gunicorn). In the embedded deployment the agent worker runs inside `forge serve`, so its series
appear on the server's `/metrics`.
"""

from __future__ import annotations

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    start_http_server,
)

# Each counter and histogram would carry a `_created` timestamp series too: noise in every scrape.
disable_created_metrics()  # type: ignore[no-untyped-call]  # prometheus_client leaves it unannotated

# Tabs and their frames: server/channel.py, channels/tab.py, channels/redis.py.
OPEN_TABS = Gauge("forge_open_tabs", "Tabs (WebSocket connections) watching a project in this process.")
FRAMES_SENT = Counter(
    "forge_frames_sent", "Frames written to tabs: hellos, events, presence and answers alike."
)
COMMIT_TO_TAB = Histogram(
    "forge_commit_to_tab_seconds",
    "From the publisher getting a committed event's batch to the event being written to a tab "
    "(publish, fan-out and send), once per tab. Events the relay published are not observed.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
SLOW_TABS_CLOSED = Counter(
    "forge_slow_tabs_closed", "Tabs closed with 4408 because too much waited to be sent to them."
)
BROKER_RECONNECTS = Counter(
    "forge_broker_reconnects", "Times this process's Redis pub/sub connection came back after it was lost."
)

# Runs and credits: channels/event_metrics.py (from committed events), workers/timing.py,
# workers/agent/loop.py (model calls).
RUN_TRANSITIONS = Counter(
    "forge_run_transitions",
    "Runs that moved into a status (a new run into PENDING), counted by the process that committed it.",
    ["source", "status"],
)
RUN_DURATION = Histogram(
    "forge_run_duration_seconds",
    "A server run's execution by its worker, from the claim to the committed end.",
    ["outcome"],
    buckets=(1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0),
)
FIRST_TOKEN = Histogram(
    "forge_run_first_token_seconds",
    "From a server run's claim to the first text of its reply going out to the broker.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 60.0),
)
MODEL_TOKENS = Counter(
    "forge_model_tokens",
    "Tokens of the agent's completed model calls, as the model service counts them, by model and "
    "kind: input (read afresh), output, cache_read (read from the prompt cache), cache_creation "
    "(written into it).",
    ["model", "kind"],
)
MODEL_RETRIES = Counter(
    "forge_model_retries",
    "Model calls asked again after a passing failure (overloaded, rate limited, a server error, a "
    "stream cut off, a connection dropped).",
)
CREDITS_SPENT = Counter(
    "forge_credits_spent", "Credits spent on prompts (one per server run queued; refunds not subtracted)."
)

# The run queue is read from the database when a server is scraped (server/controllers/metrics.py).
# Its gauges sit in a registry of their own, which only a server's /metrics shows: a worker's
# listener would otherwise report a queue nobody measured.
QUEUE_REGISTRY = CollectorRegistry()
QUEUE_DEPTH = Gauge(
    "forge_run_queue_depth",
    "Server runs waiting for a worker (PENDING), read at scrape time; NaN if the database did not answer.",
    registry=QUEUE_REGISTRY,
)
QUEUE_OLDEST_AGE = Gauge(
    "forge_run_queue_oldest_age_seconds",
    "How long the oldest waiting server run has waited (0 when none), read at scrape time.",
    registry=QUEUE_REGISTRY,
)


def server_exposition() -> bytes:
    """What a server's `/metrics` answers: the process's series, then the run queue's."""
    return generate_latest(REGISTRY) + generate_latest(QUEUE_REGISTRY)


def serve_metrics(host: str, port: int) -> None:
    """Serves the process's series on a port of its own, from a thread: for `forge worker`,
    which has no HTTP server. Raises OSError when the port cannot be taken."""
    start_http_server(port, addr=host)
