"""The shared code document across processes (API.md, "WebSocket: the shared code of a project"):
Yjs clients on two `forge serve` processes sharing PostgreSQL and Redis edit at random, drop
their connections (and edit offline meanwhile), one server restarts; every client and the stored
document end identical, and an acknowledged update survives killing every process."""

from __future__ import annotations

import random

from pycrdt import Doc, Map, Text

from server.auth import issue_dev_token
from tests.api import Api
from tests.conftest import JWT_SECRET, http_client
from tests.processes import ServeProcess
from tests.yclient import YClient, open_doc

FILES = ("app/page.tsx", "app/layout.tsx")
ROUNDS = 60
CLIENTS = 4
PAGE = "export default function Page() {}\n"


def bearer(user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_dev_token(JWT_SECRET, user)}"}


def edit_at_random(doc: Doc, rng: random.Random) -> None:
    files = doc.get("files", type=Map)
    path = rng.choice(FILES)
    text = files.get(path)
    if text is None:
        files[path] = Text(f"// {path}\n")
        return
    current = str(text)
    at = rng.randint(0, len(current))
    offset = len(current[:at].encode())
    if current and rng.random() < 0.3:
        end = min(len(current), at + rng.randint(1, 5))
        del text[offset : offset + len(current[at:end].encode())]
    else:
        text.insert(offset, rng.choice(["a", "b ", "é", "😀", "\n", "const x = 1;"]))


async def stored_document(url: str, project_id: str) -> dict[str, str]:
    reader = await open_doc(url, project_id, "olivia")
    await reader.synced()
    contents = reader.contents()
    await reader.close()
    return contents


class Swarm:
    """Clients alternating between the servers, each with its own document, online or not."""

    def __init__(self, project_id: str, urls: list[str]) -> None:
        self.project_id = project_id
        self.urls = urls
        self.docs: list[Doc] = [Doc() for _ in range(CLIENTS)]
        self.clients: list[YClient | None] = [None] * CLIENTS

    async def connect(self, index: int) -> None:
        client = await open_doc(self.urls[index % 2], self.project_id, "olivia", doc=self.docs[index])
        self.clients[index] = client
        await client.synced()

    async def disconnect(self, index: int) -> None:
        client = self.clients[index]
        if client is not None:
            await client.close()
            self.clients[index] = None

    async def settle(self) -> list[dict[str, str]]:
        """Everyone online, everything sent stored, everything stored received."""
        for index in range(CLIENTS):
            if self.clients[index] is None:
                await self.connect(index)
        online = [c for c in self.clients if c is not None]
        for _ in range(2):
            for client in online:
                await client.ack()
        return [client.contents() for client in online]

    async def close(self) -> None:
        for index in range(CLIENTS):
            await self.disconnect(index)


async def test_random_edits_disconnects_and_a_restart_converge(tmp_path, two_servers, scaled_env):
    rng = random.Random(14)
    first, second = two_servers
    async with http_client(first.url) as http:
        project = await Api(http, bearer).ok("olivia", "POST", "/api/projects", {"name": "Converge"})
    swarm = Swarm(project["id"], [first.url, second.url])
    replacement: ServeProcess | None = None
    try:
        for index in range(CLIENTS):
            await swarm.connect(index)
        for round_number in range(ROUNDS):
            index = rng.randrange(CLIENTS)
            edit_at_random(swarm.docs[index], rng)  # a dropped client keeps editing, offline
            if rng.random() < 0.1:
                if swarm.clients[index] is None:
                    await swarm.connect(index)
                else:
                    await swarm.disconnect(index)
            if round_number == ROUNDS // 2:  # the second server restarts; its clients move over
                second.terminate()
                replacement = ServeProcess(tmp_path, **scaled_env)
                replacement.wait_ready()
                swarm.urls[1] = replacement.url
                for moved in range(1, CLIENTS, 2):
                    await swarm.disconnect(moved)
                    await swarm.connect(moved)

        contents = await swarm.settle()

        assert all(c == contents[0] for c in contents)
        assert await stored_document(first.url, project["id"]) == contents[0]
    finally:
        await swarm.close()
        if replacement is not None:
            replacement.terminate()


async def test_an_acknowledged_update_survives_killing_every_process(tmp_path, two_servers, scaled_env):
    first, second = two_servers
    async with http_client(first.url) as http:
        project = await Api(http, bearer).ok("olivia", "POST", "/api/projects", {"name": "Durable"})
    writer = await open_doc(second.url, project["id"], "olivia")
    await writer.synced()
    writer.type_at(FILES[0], 0, PAGE)
    await writer.ack()

    for server in (first, second):
        server.process.kill()
        server.process.wait()
    await writer.close()
    fresh = ServeProcess(tmp_path, **scaled_env)
    try:
        fresh.wait_ready()
        assert await stored_document(fresh.url, project["id"]) == {
            FILES[0]: "export default function Page() {}\n"
        }
    finally:
        fresh.terminate()
