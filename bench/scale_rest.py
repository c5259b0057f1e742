"""The users of bench/scale.py, over REST: one per project, each with a plain project and one prompt;
after the run, what REST shows must say that every prompt ended exactly once and was paid once."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from server.auth import issue_dev_token

PROMPT = "Build a to-do list app with a clean, minimal design"
ENDED = ("COMPLETED", "FAILED")
KEEP_ALIVE = httpx.Limits(keepalive_expiry=1.0)
"""Below uvicorn's 5 s: a request on a connection the server is closing fails with ReadError."""


class Users:
    def __init__(self, secret: str, count: int) -> None:
        self.tokens = [issue_dev_token(secret, f"scale-{n}") for n in range(count)]
        self.projects: list[str] = []
        self.http = httpx.AsyncClient(timeout=60, limits=KEEP_ALIVE)

    async def __aenter__(self) -> Users:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.http.aclose()

    async def create_projects(self, servers: list[str]) -> None:
        """A plain project each (no message: no run, no credit), spread over `servers`."""
        body = {"name": "Scale", "framework": "REACT"}
        created = await asyncio.gather(
            *(
                self._call("POST", f"{servers[n % len(servers)]}/api/projects", token, body)
                for n, token in enumerate(self.tokens)
            )
        )
        self.projects = [str(project["id"]) for project in created]

    async def prompt(self, servers: list[str], value: str = PROMPT) -> None:
        """One prompt per project, all at once: 1 credit each, a run each."""
        await asyncio.gather(
            *(
                self._call(
                    "POST", f"{servers[n % len(servers)]}/api/projects/{p}/messages", t, {"value": value}
                )
                for n, (p, t) in enumerate(self._pairs())
            )
        )

    async def until_runs_end(self, server: str) -> dict[str, dict[str, Any]]:
        """Each project's latest run, once every one is COMPLETED or FAILED."""
        while True:
            pages = await asyncio.gather(
                *(self._call("GET", f"{server}/api/projects/{p}/runs", t) for p, t in self._pairs())
            )
            if all(page["items"] and page["items"][0]["status"] in ENDED for page in pages):
                return {p: page["items"][0] for p, page in zip(self.projects, pages, strict=True)}
            await asyncio.sleep(1)

    async def audit(self, server: str, runs: dict[str, dict[str, Any]]) -> dict[str, int]:
        """Prompts that did not end exactly once (one run, and one COMPLETE reply: a RESULT for a
        COMPLETED run, an ERROR for a FAILED one), users not charged one credit per completed run."""
        not_once = credits_wrong = 0
        for project, token in self._pairs():
            run, completed = runs[project], runs[project]["status"] == "COMPLETED"
            all_runs = await self._call("GET", f"{server}/api/projects/{project}/runs", token)
            messages = await self._call("GET", f"{server}/api/projects/{project}/messages?limit=200", token)
            replies = [
                (m["status"], m["type"], m["id"]) for m in messages["items"] if m["role"] == "ASSISTANT"
            ]
            expected = ("COMPLETE", "RESULT" if completed else "ERROR", run["replyMessageId"])
            not_once += len(all_runs["items"]) != 1 or replies != [expected]
            usage = await self._call("GET", f"{server}/api/usage", token)
            credits_wrong += usage["creditsPerDay"] - usage["creditsRemaining"] != int(completed)
        return {"runs_not_once": not_once, "credits_wrong": credits_wrong}

    def _pairs(self) -> list[tuple[str, str]]:
        return list(zip(self.projects, self.tokens, strict=True))

    async def _call(self, method: str, url: str, token: str, body: object = None) -> dict[str, Any]:
        response = await self.http.request(
            method, url, json=body, headers={"Authorization": f"Bearer {token}"}
        )
        response.raise_for_status()
        return dict(response.json())
