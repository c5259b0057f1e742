"""The project's shared code as one run's agent sees it (API.md: people and the agent edit one
document). Reads give the merged text; writes are 3-way merges against what the agent last saw
of each file, so a person typing elsewhere in a file the agent rewrites keeps their keystrokes."""

from __future__ import annotations

import msgspec

from domain.entities import AgentRun, Files
from domain.services.agent_runs import AgentRunService


class CodeState(msgspec.Struct, frozen=True, kw_only=True):
    """What a run knows of the code between two rounds (its checkpoint keeps it)."""

    started_from: Files
    seen: Files
    written: Files


class RunCode:
    def __init__(
        self, runs: AgentRunService, run: AgentRun, started_from: Files, state: CodeState | None = None
    ) -> None:
        """`state` is where an earlier attempt of the run left off; without it the run starts from
        `started_from`."""
        state = state or CodeState(started_from=started_from, seen=started_from, written={})
        self.runs = runs
        self.run = run
        self.started_from = dict(state.started_from)
        self.seen = dict(state.seen)
        """What the agent last saw of each file: given at the start, read, or written."""
        self.written: Files = dict(state.written)
        """The files this run wrote, as the document had them right after."""

    def state(self) -> CodeState:
        return CodeState(started_from=self.started_from, seen=dict(self.seen), written=dict(self.written))

    async def read(self, path: str) -> str | None:
        content = (await self.runs.code(self.run)).get(path)
        if content is not None:
            self.seen[path] = content
        return content

    async def write(self, files: Files) -> Files:
        """Writes, and answers these files as the document has them now (others' edits merged)."""
        after = await self.runs.write_code(
            self.run, files, seen={p: self.seen[p] for p in files if p in self.seen}
        )
        merged = {path: after[path] for path in files if path in after}
        self.seen.update(merged)
        self.written.update(merged)
        return merged

    async def files(self) -> Files:
        return await self.runs.code(self.run)

    async def undo(self) -> Files:
        """Takes back what this run wrote, keeping others' edits: files it changed get their
        starting text again (merged), files it added go. Answers the files it touched as they
        are now."""
        if not self.written:
            return {}
        changed = {p: self.started_from[p] for p in self.written if p in self.started_from}
        added = [p for p in self.written if p not in self.started_from]
        after = await self.runs.write_code(self.run, changed, seen=self.written, remove=added)
        return {p: after[p] for p in changed if p in after}
