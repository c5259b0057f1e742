"""The one typed settings object, read from `FORGE_*` variables (and `.env`) and checked at start-up."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import msgspec

from db.engine import is_postgres_url
from db.token_cipher import InvalidKey, decode_key
from domain.enums import Framework, Plan
from domain.rules.models import DEFAULT_ALLOWED_MODELS, OFFLINE_MODEL, ModelCatalog
from forge.faults import FAULTS
from forge.logs import LogFormat

ENV_PREFIX = "FORGE_"
# Variables the test suite reads for itself; they are not server settings.
FOREIGN_PREFIXES = ("FORGE_TEST_",)

Port = Annotated[int, msgspec.Meta(ge=1, le=65535)]
Positive = Annotated[int, msgspec.Meta(ge=1)]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class SettingsError(Exception):
    """A setting with a wrong value; the message is one line naming the variable."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    host: str = "127.0.0.1"
    port: Port = 8000
    data_dir: Path = Path("data")
    """Where the embedded deployment keeps its files (SQLite database, dev secrets, sandboxes)."""
    database_url: str | None = None
    """`postgresql://…` for PostgreSQL, `sqlite:///file` for another SQLite file; unset: under data_dir."""
    db_pool_size: Positive = 10
    redis_url: str | None = None
    """`redis://…` switches the broker, sequencing, history, presence and rate limits to Redis."""
    redis_prefix: str = "forge:"
    redis_cluster: bool = False
    """FORGE_REDIS_URL names one node of a Redis Cluster (7 or later): keys are spread over its nodes
    by project, and frames go by sharded pub/sub."""
    redis_max_connections: Positive = 64
    """Connections to Redis per process; commands wait for a free one (pub/sub takes its own)."""
    jwt_secret: str | None = None
    """HS256 secret for development tokens; unset without Clerk: one is generated under data_dir."""
    dev_auth: bool = False
    """Accept development authentication on an address other than loopback: anyone holding the
    secret's tokens is anyone, so a server reachable from the network needs this said out loud."""
    clerk_issuer: str | None = None
    clerk_jwks_url: str | None = None
    clerk_public_key: str | None = None
    """PEM of Clerk's RS256 public key, instead of fetching the JWKS."""
    clerk_authorized_parties: frozenset[str] = frozenset()
    max_body_bytes: Positive = 5 * 1024 * 1024
    admin_user_ids: frozenset[str] = frozenset()
    polar_webhook_secret: str | None = None
    polar_pro_product_ids: frozenset[str] = frozenset()
    polar_unlimited_product_ids: frozenset[str] = frozenset()
    oauth_encryption_key: str | None = None
    """32 bytes in URL-safe base64 encrypting OAuth tokens at rest; every process must share it.
    Unset: generated into data_dir, which only suits the embedded deployment."""
    rate_limit_writes_per_minute: Positive = 120
    """Per user, over the API's POST, PUT, PATCH and DELETE routes."""
    rate_limit_auth_failures_per_minute: Positive = 20
    """Per client address: refused tokens before the address is refused outright (429)."""
    rate_limit_webhooks_per_minute: Positive = 600
    """Per client address, on the Polar webhook."""
    history_min_events: Positive = 1000
    """Each project's event history keeps at least this many events…"""
    history_min_age_seconds: Annotated[int, msgspec.Meta(ge=0)] = 600
    """…and at least every event younger than this, for tabs that reconnect with `since`…"""
    history_max_bytes: Positive = 8 * 1024 * 1024
    """…but never more than this many bytes of frames per project, whatever the two floors say."""
    presence_ttl_seconds: Positive = 15
    """A tab of a server that died leaves presence after at most this long (scaled deployment)."""
    ws_send_buffer_frames: Positive = 2048
    """Frames a tab may have waiting; a tab further behind is closed with 4408 and resumes."""
    ws_send_buffer_bytes: Positive = 16 * 1024 * 1024
    """Bytes of frames a tab may have waiting, likewise."""
    ws_per_message_deflate: bool = False
    """Compress WebSocket frames (costs CPU per tab per frame; off by default)."""
    log_level: LogLevel = "INFO"
    log_format: LogFormat = "text"
    """`json`: one JSON object per line, with the request's or run's id (forge/logs.py)."""
    metrics_port: Port | None = None
    """`forge worker` serves its Prometheus series on this port (`forge serve` has `/metrics`)."""
    public_url: str | None = None
    """How browsers reach this server (previews of local sandboxes); unset: http://HOST:PORT."""
    worker_in_process: bool = True
    """`forge serve` runs an agent worker in its own event loop; off when `forge worker`s run apart."""
    worker_concurrency: Positive = 2
    """Runs one worker process executes at the same time."""
    worker_lease_seconds: Annotated[int, msgspec.Meta(ge=3)] = 30
    """A run whose worker stops renewing its lease for this long is taken again (at most twice)."""
    worker_poll_seconds: Annotated[float, msgspec.Meta(gt=0)] = 5.0
    """How often an idle worker looks for runs it was not woken for (the broker wakes it at once)."""
    worker_shutdown_grace_seconds: Annotated[float, msgspec.Meta(ge=0)] = 20.0
    """On SIGTERM, how long running runs may finish before they are given back to the queue."""
    agent_max_iterations: Positive = 15
    """Model calls a run may make before it stops."""
    agent_max_tokens_per_run: Positive = 400_000
    """Input and output tokens (as the provider reports them) a run may use: once its model calls
    passed this, it makes no more and ends with what it built so far, still charged."""
    agent_retry_attempts: Positive = 5
    """Tries of one model call (a round) that fails for a passing reason (overloaded, rate
    limited, a server error, a stream cut off, a connection dropped), the first included."""
    agent_retry_max_wait_seconds: Annotated[float, msgspec.Meta(ge=0)] = 120.0
    """The most one round waits between its tries, in all; past it the run fails."""
    agent_retry_first_delay_seconds: Annotated[float, msgspec.Meta(gt=0)] = 2.0
    """The wait after a round's first failure, doubling with each further one (up to 30 s, with
    jitter); a longer `retry-after` from the service wins."""
    agent_context_budget_tokens: Annotated[int, msgspec.Meta(ge=1000)] = 150_000
    """Input tokens one model request may carry (system prompt, tools, conversation), estimated
    on the safe side; a longer conversation is trimmed, oldest parts first."""
    agent_context_budgets: frozenset[str] = frozenset()
    """`model=tokens` pairs: a context budget of its own for a model."""
    allowed_models_free: frozenset[str] = DEFAULT_ALLOWED_MODELS[Plan.FREE]
    """Models a Free user may choose (`model`, `modelPreference`); the default model always."""
    allowed_models_pro: frozenset[str] = DEFAULT_ALLOWED_MODELS[Plan.PRO]
    allowed_models_unlimited: frozenset[str] = DEFAULT_ALLOWED_MODELS[Plan.UNLIMITED]
    anthropic_api_key: str | None = None
    """Switches the agent from the offline provider to Anthropic's models."""
    anthropic_base_url: str | None = None
    anthropic_model: str = "claude-sonnet-5-5"
    """The model when the project has no `modelPreference`."""
    anthropic_prompt_caching: bool = True
    """Mark prompt-cache breakpoints in requests (system prompt and tools, restored files, the
    growing conversation), so that each call reads what the previous one sent from the cache."""
    offline_word_delay_ms: Annotated[int, msgspec.Meta(ge=0)] = 20
    """The offline provider's pace: a pause after each streamed word."""
    e2b_api_key: str | None = None
    """Switches sandboxes from the local folder to E2B."""
    e2b_templates: frozenset[str] = frozenset()
    """`FRAMEWORK=template` pairs overriding the E2B template of a framework."""
    e2b_timeout_seconds: Positive = 1800
    sandbox_allow_commands: bool = False
    """Local sandbox: let the agent run commands on this machine (npm install, the dev server),
    inside bubblewrap; without it the process refuses to start, unless the next setting says yes."""
    sandbox_allow_unconfined_commands: bool = False
    """Accept running those commands without bubblewrap: a clean environment, but this user's files
    and the network in reach (workers/sandboxes/confinement.py)."""
    github_api_url: str = "https://api.github.com"
    """GitHub's REST API, which GitHub imports read repositories from (GitHub Enterprise: its /api/v3)."""
    figma_api_url: str = "https://api.figma.com"
    """Figma's REST API, which Figma imports read files from."""
    fault_after_commit: str | None = None
    """Tests only: `exit:<event type>` or `drop:<event type>` (forge/faults.py)."""

    @property
    def uses_clerk(self) -> bool:
        return self.clerk_jwks_url is not None or self.clerk_public_key is not None

    @property
    def default_model(self) -> str:
        """The model of a run that chose none: Anthropic's configured one, else the offline model."""
        return self.anthropic_model if self.anthropic_api_key else OFFLINE_MODEL

    @property
    def model_catalog(self) -> ModelCatalog:
        allowed = {
            Plan.FREE: self.allowed_models_free,
            Plan.PRO: self.allowed_models_pro,
            Plan.UNLIMITED: self.allowed_models_unlimited,
        }
        return ModelCatalog(allowed=allowed, default=self.default_model)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url is not None:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'forge.sqlite3').as_posix()}"

    @property
    def resolved_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def sandboxes_dir(self) -> Path:
        return self.data_dir / "sandboxes"

    @property
    def context_budget_overrides(self) -> dict[str, int]:
        pairs = (pair.partition("=") for pair in self.agent_context_budgets)
        return {model: int(tokens) for model, _, tokens in pairs}

    @property
    def e2b_template_overrides(self) -> dict[Framework, str]:
        pairs = (pair.partition("=") for pair in self.e2b_templates)
        return {Framework(name): template for name, _, template in pairs}

    @property
    def dev_secret_path(self) -> Path:
        return self.data_dir / "dev-jwt-secret"

    @property
    def oauth_key_path(self) -> Path:
        return self.data_dir / "oauth-encryption-key"


def load_settings(environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")) -> Settings:
    """Settings from the environment, over a `.env` file, over the defaults.

    Raises SettingsError naming the first variable that is wrong.
    """
    values = dict(read_env_file(env_file)) if env_file is not None and env_file.is_file() else {}
    values.update(environ if environ is not None else os.environ)
    return parse_settings(values)


def parse_settings(values: Mapping[str, str]) -> Settings:
    fields = {f.name: f for f in msgspec.structs.fields(Settings)}
    raw: dict[str, Any] = {}
    for variable, text in values.items():
        if not variable.startswith(ENV_PREFIX) or variable.startswith(FOREIGN_PREFIXES):
            continue
        name = variable.removeprefix(ENV_PREFIX).lower()
        if name not in fields:
            raise SettingsError(f"{variable}: unknown setting (the README lists every FORGE_ variable)")
        if text.strip() == "":
            continue  # an empty variable means "use the default"
        raw[name] = _from_text(fields[name].type, text.strip())
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as error:
        raise SettingsError(_describe(error, raw)) from None
    _check_consistency(settings)
    return settings


def read_env_file(path: Path) -> dict[str, str]:
    """`KEY=value` lines; blank lines and `#` comments skipped, one level of quotes removed."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        if not sep:
            raise SettingsError(f"{path}:{number}: expected KEY=value, got {line!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def _from_text(annotation: object, text: str) -> object:
    """Comma-separated lists for collections, paths as paths; msgspec converts the rest."""
    if get_origin(annotation) in (frozenset, tuple, list, set):
        return [item.strip() for item in text.split(",") if item.strip()]
    if annotation is Path:
        return Path(text)
    return text


_EXPECTED = {
    "port": "an integer between 1 and 65535",
    "db_pool_size": "a positive integer",
    "redis_max_connections": "a positive integer",
    "redis_cluster": "true or false",
    "max_body_bytes": "a positive integer (bytes)",
    "rate_limit_writes_per_minute": "a positive integer",
    "rate_limit_auth_failures_per_minute": "a positive integer",
    "rate_limit_webhooks_per_minute": "a positive integer",
    "history_min_events": "a positive integer",
    "history_min_age_seconds": "a whole number of seconds",
    "history_max_bytes": "a positive integer (bytes)",
    "ws_send_buffer_bytes": "a positive integer (bytes)",
    "ws_send_buffer_frames": "a positive integer",
    "presence_ttl_seconds": "a positive integer (seconds)",
    "ws_per_message_deflate": "true or false",
    "log_level": "one of " + ", ".join(get_args(LogLevel)),
    "log_format": "text or json",
    "metrics_port": "an integer between 1 and 65535",
    "worker_in_process": "true or false",
    "worker_concurrency": "a positive integer",
    "worker_lease_seconds": "a whole number of seconds, at least 3",
    "worker_poll_seconds": "a positive number of seconds",
    "worker_shutdown_grace_seconds": "a number of seconds (0 or more)",
    "agent_max_iterations": "a positive integer",
    "agent_max_tokens_per_run": "a positive integer (tokens)",
    "agent_retry_attempts": "a positive integer",
    "agent_retry_max_wait_seconds": "a number of seconds (0 or more)",
    "agent_retry_first_delay_seconds": "a positive number of seconds",
    "agent_context_budget_tokens": "an integer of at least 1000 (tokens)",
    "anthropic_prompt_caching": "true or false",
    "offline_word_delay_ms": "a whole number of milliseconds",
    "e2b_timeout_seconds": "a positive integer (seconds)",
    "sandbox_allow_commands": "true or false",
    "sandbox_allow_unconfined_commands": "true or false",
}


def _describe(error: msgspec.ValidationError, raw: Mapping[str, object]) -> str:
    match = re.search(r"\$\.(\w+)", str(error))
    if match is None:
        return f"settings: {error}"
    name = match.group(1)
    expected = _EXPECTED.get(name, str(error).split(" - at ")[0].lower())
    return f"{ENV_PREFIX}{name.upper()}: expected {expected}, got {raw.get(name)!r}"


def _check_cluster(settings: Settings) -> None:
    redis = settings.redis_url
    if redis is None or not redis.startswith(("redis://", "rediss://")):
        raise SettingsError(
            f"FORGE_REDIS_CLUSTER: needs FORGE_REDIS_URL=redis://host:port of a cluster node, got {redis!r}"
        )
    if "{" in settings.redis_prefix or "}" in settings.redis_prefix:
        # A hash tag in the prefix would be every key's tag: the whole deployment on one node.
        raise SettingsError(f"FORGE_REDIS_PREFIX: no {{ or }} on a cluster, got {settings.redis_prefix!r}")


def _check_consistency(settings: Settings) -> None:
    url = settings.database_url
    if url is not None and not (is_postgres_url(url) or url.startswith("sqlite:///")):
        raise SettingsError(
            f"FORGE_DATABASE_URL: expected postgresql://user@host:port/db or sqlite:///path, got {url!r}"
        )
    redis = settings.redis_url
    if redis is not None and not redis.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(f"FORGE_REDIS_URL: expected redis://host:port/db, got {redis!r}")
    if settings.redis_cluster:
        _check_cluster(settings)
    if settings.uses_clerk and settings.clerk_issuer is None:
        raise SettingsError(
            "FORGE_CLERK_ISSUER: expected your Clerk issuer URL (required with FORGE_CLERK_JWKS_URL "
            "or FORGE_CLERK_PUBLIC_KEY)"
        )
    if settings.oauth_encryption_key is not None:
        try:
            decode_key(settings.oauth_encryption_key)
        except InvalidKey as error:
            raise SettingsError(f"FORGE_OAUTH_ENCRYPTION_KEY: {error}") from None
    for pair in settings.agent_context_budgets:
        model, sep, tokens = pair.partition("=")
        if not sep or not model or not tokens.isdigit() or int(tokens) < 1000:
            raise SettingsError(
                f"FORGE_AGENT_CONTEXT_BUDGETS: expected model=tokens pairs of at least 1000 tokens "
                f"(claude-haiku-5-5=100000), got {pair!r}"
            )
    for pair in settings.e2b_templates:
        name, sep, template = pair.partition("=")
        if not sep or not template or name not in Framework.__members__:
            raise SettingsError(
                f"FORGE_E2B_TEMPLATES: expected FRAMEWORK=template pairs (NEXTJS=nextjs-app), got {pair!r}"
            )
    for variable, url in (
        ("GITHUB_API_URL", settings.github_api_url),
        ("FIGMA_API_URL", settings.figma_api_url),
    ):
        if not url.startswith(("http://", "https://")):
            raise SettingsError(f"FORGE_{variable}: expected an http(s):// URL, got {url!r}")
    fault = settings.fault_after_commit
    if fault is not None and (fault.partition(":")[0] not in FAULTS or not fault.partition(":")[2]):
        raise SettingsError(
            f"FORGE_FAULT_AFTER_COMMIT: expected exit:<event type> or drop:<event type>, got {fault!r}"
        )
    if settings.public_url is not None and not settings.public_url.startswith(("http://", "https://")):
        raise SettingsError(f"FORGE_PUBLIC_URL: expected an http(s):// URL, got {settings.public_url!r}")
    if settings.clerk_jwks_url is not None and not settings.clerk_jwks_url.startswith(
        ("https://", "http://")
    ):
        raise SettingsError(
            f"FORGE_CLERK_JWKS_URL: expected an https:// URL, got {settings.clerk_jwks_url!r}"
        )
