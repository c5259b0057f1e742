"""Agent runs in the `agent_runs` table."""

from __future__ import annotations

from db.stores.rows import to_row
from db.tables import AgentRunTable
from domain.entities import AgentRun


class PiccoloRunStore:
    async def insert(self, run: AgentRun) -> None:
        await AgentRunTable.insert(AgentRunTable(**to_row(run)))
