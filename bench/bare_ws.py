"""The floor of a join: a bare Litestar WebSocket app under uvicorn, configured as `forge serve` is
(the same `server_config`), that accepts each tab and sends it one JSON frame the size of an empty
project's `hello` (a `resumed` when the URL carries `since`), then holds it until the tab leaves.
No token check, no database, no presence. Its `/doc` twin is the floor of a shared document: it
passes each binary frame on to the project's other sockets, unread and unstored.

    .venv/bin/python bench/bare_ws.py --port 8001
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import msgspec
import uvicorn
from litestar import Litestar, WebSocket, get, websocket

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ServerProcess, free_port
from forge.settings import Settings
from server.serving import server_config

SCRIPT = str(Path(__file__).resolve())
EPOCH = "0123456789abcdef"
_PROJECT = {
    "id": str(uuid.UUID(int=1)),
    "name": "Benchmark",
    "userId": "bench",
    "framework": "REACT",
    "modelPreference": None,
    "sandboxId": None,
    "imageUrl": None,
    "createdAt": "2026-01-01T00:00:00.000Z",
    "updatedAt": "2026-01-01T00:00:00.000Z",
}
_CLIENT = {"clientId": str(uuid.UUID(int=2)), "userId": "bench", "joinedAt": "2026-01-01T00:00:00.000Z"}
HELLO = msgspec.json.encode(
    {
        "type": "hello",
        "epoch": EPOCH,
        "seq": 0,
        "clientId": _CLIENT["clientId"],
        "project": _PROJECT,
        "messages": [],
        "fragment": None,
        "draft": None,
        "runs": [],
        "presence": {"count": 1, "clients": [_CLIENT]},
    }
).decode()
"""The shape and size (about 540 bytes) of an empty project's hello."""
RESUMED = msgspec.json.encode({"type": "resumed", "epoch": EPOCH, "from": 1, "to": 0}).decode()


@get("/readyz", sync_to_thread=False)
def ready() -> str:
    return "ready"


@websocket("/ws/projects/{project_id:str}")
async def channel(socket: WebSocket[Any, Any, Any], project_id: str) -> None:
    await socket.accept()
    resume = b"since=" in socket.scope["query_string"]
    await socket.send_data(RESUMED if resume else HELLO, mode="text")
    while (await socket.receive())["type"] != "websocket.disconnect":
        pass


_DOC_SOCKETS: dict[str, set[WebSocket[Any, Any, Any]]] = {}


@websocket("/ws/projects/{project_id:str}/doc")
async def doc_relay(socket: WebSocket[Any, Any, Any], project_id: str) -> None:
    await socket.accept()
    sockets = _DOC_SOCKETS.setdefault(project_id, set())
    sockets.add(socket)
    try:
        while (message := await socket.receive())["type"] != "websocket.disconnect":
            frame = message.get("bytes")
            if frame:
                for other in list(sockets):
                    if other is not socket:
                        await other.send_data(frame, mode="binary")
    finally:
        sockets.discard(socket)


app = Litestar([ready, channel, doc_relay])


class BareServe(ServerProcess):
    """This app in its own process, for the length of a `with` block."""

    def __init__(self, workdir: Path) -> None:
        port = free_port()
        super().__init__([sys.executable, SCRIPT, "--port", str(port)], port, workdir, dict(os.environ))

    def __enter__(self) -> BareServe:
        super().__enter__()
        return self


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    config = server_config(app, Settings(log_level="WARNING"), host="127.0.0.1", port=args.port)
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
