"""The `forge` command: serve, worker, migrate, token."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from forge.logs import configure_logging
from forge.settings import Settings, SettingsError, load_settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"forge: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    command: str = args.command
    if command in ("serve", "worker"):
        from forge.memory import return_large_buffers_to_the_system

        return_large_buffers_to_the_system()
    if command == "serve":
        return serve(settings, host=args.host, port=args.port)
    if command == "worker":
        return worker(settings, concurrency=args.concurrency)
    if command == "migrate":
        return migrate(settings)
    return token(settings, args.user_id, name=args.name, picture=args.image_url)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="forge", description="ForgeAI server")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="run the HTTP and WebSocket server")
    serve_parser.add_argument("--host", help="interface to listen on (FORGE_HOST)")
    serve_parser.add_argument("--port", type=int, help="port to listen on (FORGE_PORT)")
    worker_parser = commands.add_parser("worker", help="run a standalone agent worker")
    worker_parser.add_argument(
        "--concurrency", type=_positive, help="runs executed at the same time (FORGE_WORKER_CONCURRENCY)"
    )
    commands.add_parser("migrate", help="bring the database schema up to date")
    token_parser = commands.add_parser("token", help="print a development token for a user")
    token_parser.add_argument("user_id", metavar="USER_ID")
    token_parser.add_argument("--name", help="the name the others of a shared project see")
    token_parser.add_argument("--image-url", help="an http(s) address of the person's picture")
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("expected a positive integer")
    return value


def _preflight(settings: Settings, command: str) -> bool:
    """Checks what would otherwise fail later as a traceback; prints one line and says False."""
    from db.engine import is_postgres_url
    from forge.connections import ConfigurationError, NotMigrated, assert_migrated, oauth_key
    from workers.composition import sandbox_provider
    from workers.sandboxes.confinement import ConfinementUnavailable

    url = settings.resolved_database_url
    try:
        oauth_key(settings)
        sandbox_provider(settings)
    except (ConfigurationError, ConfinementUnavailable) as error:
        print(f"{command}: {error}", file=sys.stderr)
        return False
    if is_postgres_url(url):
        try:
            asyncio.run(assert_migrated(url))
        except NotMigrated as error:
            print(f"{command}: {error}", file=sys.stderr)
            return False
        except OSError as error:
            print(f"{command}: cannot reach the database at {url}: {error}", file=sys.stderr)
            return False
    return True


def serve(settings: Settings, host: str | None, port: int | None) -> int:
    from server.app import create_app
    from server.serving import ForgeServer, server_config

    host = host or settings.host
    port = port or settings.port
    if not _preflight(settings, "forge serve"):
        return 2
    from server.auth import dev_auth_refusal

    refusal = dev_auth_refusal(settings, host)
    if refusal is not None:
        print(f"forge serve: {refusal}", file=sys.stderr)
        return 2
    banner = _dev_banner(settings, f"http://{host}:{port}")
    app = create_app(settings)
    server = ForgeServer(server_config(app, settings, host=host, port=port))
    if banner:
        print(banner, flush=True)
    try:
        server.run()
    except KeyboardInterrupt:  # Ctrl+C: uvicorn shut down cleanly, then passes the signal on
        print("forge serve: stopped", file=sys.stderr)
        return 0
    return 0 if server.started else 1


def _dev_banner(settings: Settings, url: str) -> str:
    """The URL and, in development auth, a ready token so a newcomer can call the API at once."""
    if settings.uses_clerk:
        return f"ForgeAI server at {url} (Clerk authentication)"
    from server.auth import BANNER_TOKEN_SECONDS, DEV_USER_ID, ensure_dev_secret, issue_dev_token

    dev_token = issue_dev_token(ensure_dev_secret(settings), DEV_USER_ID, BANNER_TOKEN_SECONDS)
    return "\n".join(
        [
            f"ForgeAI server at {url}",
            f"Editor: open {url}/ in a browser (on this machine it signs in as {DEV_USER_ID} by itself).",
            f"Development token for user {DEV_USER_ID} (1 hour; `forge token USER_ID` makes others):",
            f"  export TOKEN={dev_token}",
            f'  curl -H "Authorization: Bearer $TOKEN" {url}/api/projects',
        ]
    )


def worker(settings: Settings, concurrency: int | None) -> int:
    """A worker apart from the servers: their tabs hear its events only through Redis."""
    if settings.redis_url is None:
        print(
            "forge worker: FORGE_REDIS_URL is required (a standalone worker reaches the servers' tabs "
            "through Redis; `forge serve` runs a worker in-process otherwise)",
            file=sys.stderr,
        )
        return 2
    if not _preflight(settings, "forge worker"):
        return 2
    if settings.metrics_port is not None:
        from forge.metrics import serve_metrics

        try:
            serve_metrics(settings.host, settings.metrics_port)
        except OSError as error:
            print(f"forge worker: cannot serve metrics on {settings.metrics_port}: {error}", file=sys.stderr)
            return 2
    asyncio.run(_run_worker(settings, concurrency))
    return 0


async def _run_worker(settings: Settings, concurrency: int | None) -> None:
    import signal

    from forge.core import Core
    from workers.composition import start_worker

    core = await Core.start(settings)
    try:
        agent_worker = await start_worker(core, concurrency=concurrency)
    except BaseException:
        await core.stop()
        raise
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(f"forge worker {agent_worker.id}: {agent_worker.settings.concurrency} runs at a time", flush=True)
    try:
        await stop.wait()
    finally:
        await agent_worker.stop()
        await core.stop()


def migrate(settings: Settings) -> int:
    from db.migrate import migrate as apply_migrations

    url = settings.resolved_database_url
    applied = asyncio.run(apply_migrations(url))
    print(f"forge migrate: applied {', '.join(applied)}" if applied else "forge migrate: up to date")
    return 0


def token(settings: Settings, user_id: str, name: str | None = None, picture: str | None = None) -> int:
    if settings.uses_clerk:
        print("forge token: Clerk authentication is configured; tokens come from Clerk.", file=sys.stderr)
        return 2
    from domain.rules.profiles import MAX_NAME_LENGTH, display_name, image_url
    from domain.rules.user_ids import MAX_USER_ID_LENGTH, is_valid_user_id
    from server.auth import ensure_dev_secret, issue_dev_token

    refusal = None
    if not is_valid_user_id(user_id):
        refusal = f"a user id is 1 to {MAX_USER_ID_LENGTH} printable characters"
    elif name is not None and display_name(name) is None:
        refusal = f"a name is 1 to {MAX_NAME_LENGTH} printable characters"
    elif picture is not None and image_url(picture) is None:
        refusal = "an image URL is an http(s) address without blanks, at most 2048 characters"
    if refusal is not None:
        print(f"forge token: {refusal}", file=sys.stderr)
        return 2
    secret = ensure_dev_secret(settings)
    print(issue_dev_token(secret, user_id, name=display_name(name), image_url=picture))
    return 0


if __name__ == "__main__":
    sys.exit(main())
