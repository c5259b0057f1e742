"""What a browser tab knows of a project: the last `hello` with every event after it applied, and
every break of API.md's `seq` promise it noticed on the way (a gap, a repeat, a wrong `resumed`);
and a live tab that keeps such a model while it reconnects."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from websockets.exceptions import ConnectionClosed

from tests.ws import Frame, TabClient, open_tab

State = dict[str, Any]
PROJECT_FIELDS = (
    "id",
    "name",
    "userId",
    "framework",
    "modelPreference",
    "sandboxId",
    "imageUrl",
    "createdAt",
    "updatedAt",
)
MESSAGE_FIELDS = ("content", "role", "type", "status")
MISSING = "<missing>"
UNSEQUENCED = frozenset({"presence.joined", "presence.left", "pong", "error"})
WAIT_SECONDS = 10.0


def message_state(message: Frame) -> State:
    fragment = message.get("fragment")
    return {
        **{field: message[field] for field in MESSAGE_FIELDS},
        "fragmentId": fragment["id"] if fragment else None,
    }


def project_state(project: Frame) -> State:
    return {field: project[field] for field in PROJECT_FIELDS}


def draft_state(draft: Frame | None) -> State | None:
    return None if draft is None else {"version": draft["version"], "files": draft["files"]}


class TabModel:
    def __init__(self, name: str) -> None:
        self.name = name
        self.epoch: str | None = None
        self.seq: int | None = None
        """The last seq this tab saw (hello's, or its last event's), over all its connections."""
        self.project: State = {}
        self.messages: dict[str, State] = {}
        self.fragment_id: str | None = None
        self.draft: State | None = None
        self.runs: dict[str, str] = {}
        self.problems: list[str] = []
        self.refusals: list[Frame] = []
        """`error` frames: answers to this tab's own prompts and draft puts that were refused."""
        self.starts: list[str] = []
        """How each connection began: "hello" or "resumed"."""
        self._started = False

    def connecting(self) -> None:
        """A new connection: its first sequenced frame must be a hello or a resumed."""
        self._started = False

    def state(self) -> State:
        return {
            "project": self.project,
            "messages": self.messages,
            "fragment": self.fragment_id,
            "draft": self.draft,
            "runs": self.runs,
        }

    def apply(self, frame: Frame) -> None:
        kind = frame["type"]
        if kind == "error":
            self.refusals.append(frame)
        if kind in UNSEQUENCED:
            return
        if kind == "hello":
            self._hello(frame)
        elif kind == "resumed":
            self._resumed(frame)
        elif not self._started:
            self.problems.append(f"{kind} seq {frame.get('seq')} before any hello or resumed")
        else:
            self._event(frame)

    def _hello(self, frame: Frame) -> None:
        # A hello may be older than what this tab saw before it reconnected: tabs joining together
        # share one hello state, and the events since follow it at once (checked gapless below).
        self._started = True
        self.starts.append("hello")
        self.epoch, self.seq = frame["epoch"], frame["seq"]
        self.project = project_state(frame["project"])
        self.messages = {m["id"]: message_state(m) for m in frame["messages"]}
        self.fragment_id = frame["fragment"]["id"] if frame["fragment"] else None
        self.draft = draft_state(frame["draft"])
        self.runs = {run["id"]: run["status"] for run in frame["runs"]}

    def _resumed(self, frame: Frame) -> None:
        if self._started:
            self.problems.append(f"resumed {frame} in the middle of a connection")
        if frame["epoch"] != self.epoch or self.seq is None or frame["from"] != self.seq + 1:
            self.problems.append(f"resumed {frame} after epoch {self.epoch} seq {self.seq}")
        self._started = True
        self.starts.append("resumed")
        self.epoch, self.seq = frame["epoch"], frame["from"] - 1

    def _event(self, frame: Frame) -> None:
        seq = frame.get("seq")
        if seq is None or self.seq is None or seq != self.seq + 1:
            self.problems.append(f"{frame['type']} seq {seq} after seq {self.seq}")
        if seq is not None:
            self.seq = seq
        match frame["type"]:
            case "project.updated":
                self.project = project_state(frame["project"])
            case "message.completed":
                self._completed(frame["message"])
            case "message.created" | "message.updated":
                self.messages[frame["message"]["id"]] = message_state(frame["message"])
            case "message.delta":
                self._delta(frame)
            case "fragment.updated":
                fragment = frame["fragment"]
                self.fragment_id = fragment["id"]
                if fragment["messageId"] in self.messages:
                    self.messages[fragment["messageId"]]["fragmentId"] = fragment["id"]
            case "draft.updated":
                self.draft = draft_state(frame["draft"])
            case "run.updated":
                self.runs[frame["run"]["id"]] = frame["run"]["status"]
            case "file.written" | "import.updated" | "member.updated" | "member.removed":
                pass  # not part of the state compared here
            case other:
                self.problems.append(f"unexpected {other} at seq {seq}")

    def _completed(self, message: Frame) -> None:
        """A reply completed as a RESULT has exactly the text its deltas streamed (API.md: the
        final content of a streamed message)."""
        streamed = self.messages.get(message["id"]) or {}
        made = streamed["content"] if streamed.get("status") == "STREAMING" else None
        if message["type"] == "RESULT" and made is not None and made != message["content"]:
            self.problems.append(
                f"message {message['id']} completed as {_short(message['content'])} after its deltas "
                f"made {_short(made)}"
            )
        self.messages[message["id"]] = message_state(message)

    def _delta(self, frame: Frame) -> None:
        """As `tests.ws.TextRebuilder`: the text goes at its offset; one past the end is a gap."""
        message = self.messages.get(frame["messageId"])
        if message is None:
            self.problems.append(f"delta seq {frame['seq']} for unknown message {frame['messageId']}")
            return
        content, offset = message["content"], frame["offset"]
        if offset > len(content):
            self.problems.append(f"delta seq {frame['seq']} at {offset} after {len(content)} characters")
            return
        message["content"] = content[:offset] + frame["text"]


class LiveTab:
    """A tab that reads every frame into its model as it comes, and resumes when reopened."""

    def __init__(self, name: str, user: str) -> None:
        self.model = TabModel(name)
        self.user = user
        self.url = ""
        self._client: TabClient | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pongs: dict[str, asyncio.Future[None]] = {}

    async def open(self, url: str, project_id: str, resume: bool = True) -> None:
        """Connects, resuming from the last seq seen unless `resume` is off (a reloaded page)."""
        self.model.connecting()
        since: dict[str, Any] = {}
        if resume and self.model.seq is not None:
            since = {"since": self.model.seq, "epoch": self.model.epoch}
        self._client = await open_tab(url, project_id, self.user, **since)
        self.url = url
        self._reader = asyncio.create_task(self._read(self._client), name=f"tab-{self.model.name}")

    @property
    def is_open(self) -> bool:
        return self._reader is not None and not self._reader.done()

    async def send(self, frame: Frame) -> None:
        assert self._client is not None
        await self._client.send(frame)

    async def sync(self, ref: str) -> None:
        """A ping's pong: the server handled every frame this connection sent before it."""
        pong = self._pongs[ref] = asyncio.get_running_loop().create_future()
        await self.send({"type": "ping", "ref": ref})
        async with asyncio.timeout(WAIT_SECONDS):
            await pong

    async def closed_by_server(self) -> int | None:
        """Waits until the server closed this tab; the code it sent."""
        assert self._client is not None and self._reader is not None
        async with asyncio.timeout(WAIT_SECONDS):
            await self._reader
        return self._client.connection.close_code

    async def close(self) -> None:
        if self._client is not None and self._reader is not None:
            await self._client.close()
            await self._reader

    async def _read(self, client: TabClient) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for text in client.connection:
                frame = json.loads(text)
                if frame["type"] == "pong" and frame.get("ref") in self._pongs:
                    self._pongs.pop(frame["ref"]).set_result(None)
                try:
                    self.model.apply(frame)
                except Exception as error:  # a frame the model cannot take is one more problem
                    self.model.problems.append(f"{frame} broke the model: {error!r}")


def rest_state(project: Frame, messages: list[Frame], draft: Frame, runs: list[Frame]) -> State:
    """The same shape as `TabModel.state()`, from the REST routes' bodies."""
    latest = project.get("latestFragment")
    return {
        "project": project_state(project),
        "messages": {m["id"]: message_state(m) for m in messages},
        "fragment": latest["id"] if latest else None,
        "draft": draft_state(draft),
        "runs": {run["id"]: run["status"] for run in runs},
    }


def differences(tab: object, rest: object, path: str = "") -> list[str]:
    """Readable lines, one per value that differs between a tab's state and REST's."""
    if isinstance(tab, dict) and isinstance(rest, dict) and path.count(".") < 3:
        lines: list[str] = []
        for key in sorted(set(tab) | set(rest), key=str):
            lines += differences(tab.get(key, MISSING), rest.get(key, MISSING), f"{path}.{key}")
        return lines
    if tab == rest:
        return []
    where = path.lstrip(".")
    if isinstance(tab, str) and isinstance(rest, str) and max(len(tab), len(rest)) > 80:
        at = next(
            (n for n, (a, b) in enumerate(zip(tab, rest, strict=False)) if a != b), min(len(tab), len(rest))
        )
        where += f" (lengths {len(tab)} and {len(rest)}, first difference at {at})"
        tab, rest = tab[max(0, at - 40) :], rest[max(0, at - 40) :]
    return [f"{where}: tab {_short(tab)} != rest {_short(rest)}"]


def _short(value: object, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
