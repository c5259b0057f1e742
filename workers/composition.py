"""Puts the agent worker together on a core: which model, which sandboxes, which limits, from the
settings. `forge worker` composes this and nothing of the web tier; `forge serve` adds it to its own
event loop when it runs a worker in-process.

Without keys the embedded deployment uses the offline provider and local folders; an Anthropic
key switches the model, an E2B key the sandboxes. Nothing else changes.
"""

from __future__ import annotations

from datetime import timedelta

from channels.run_cancellations import BrokerCancellations
from channels.run_queue import listen_for_runs
from domain.enums import Framework
from forge.core import Core
from forge.services import Services
from forge.settings import Settings
from workers.agent.loop import AgentLimits
from workers.agent.model import ModelProvider
from workers.agent.retry import RetryPolicy
from workers.imports.processor import ImportProcessor, ImportSettings
from workers.providers.offline import OfflineProvider
from workers.runner import RunExecutor, RunnerSettings
from workers.sandboxes.base import SandboxProvider
from workers.sandboxes.confinement import confinement
from workers.sandboxes.local import LocalSandboxProvider
from workers.worker import AgentWorker, WorkerSettings

E2B_TEMPLATES: dict[Framework, str] = {
    framework: f"forge-{framework.value.lower()}" for framework in Framework
}
"""Template names per framework; FORGE_E2B_TEMPLATES overrides any of them."""


def model_provider(settings: Settings) -> ModelProvider:
    if settings.anthropic_api_key:
        from workers.providers.anthropic import AnthropicProvider

        return AnthropicProvider(
            api_key=settings.anthropic_api_key,
            base_url=settings.anthropic_base_url,
            prompt_caching=settings.anthropic_prompt_caching,
        )
    return OfflineProvider(word_delay_seconds=settings.offline_word_delay_ms / 1000)


def sandbox_provider(settings: Settings) -> SandboxProvider:
    """E2B with a key, else local folders; raises ConfinementUnavailable when local commands are
    allowed but cannot be confined and the weaker mode was not accepted."""
    if settings.e2b_api_key:
        from workers.sandboxes.e2b import E2BSandboxProvider

        return E2BSandboxProvider(
            api_key=settings.e2b_api_key,
            templates={**E2B_TEMPLATES, **settings.e2b_template_overrides},
            timeout_seconds=settings.e2b_timeout_seconds,
        )
    commands = (
        confinement(settings.sandbox_allow_unconfined_commands) if settings.sandbox_allow_commands else None
    )
    return LocalSandboxProvider(settings.sandboxes_dir, settings.resolved_public_url, commands)


def agent_limits(settings: Settings) -> AgentLimits:
    return AgentLimits(
        max_iterations=settings.agent_max_iterations,
        max_tokens_per_run=settings.agent_max_tokens_per_run,
        context_budget=settings.agent_context_budget_tokens,
        context_budgets=settings.context_budget_overrides,
        retry=RetryPolicy(
            attempts=settings.agent_retry_attempts,
            max_wait_seconds=settings.agent_retry_max_wait_seconds,
            first_delay_seconds=settings.agent_retry_first_delay_seconds,
        ),
    )


def worker_settings(settings: Settings, concurrency: int | None = None) -> WorkerSettings:
    return WorkerSettings(
        concurrency=concurrency or settings.worker_concurrency,
        lease=timedelta(seconds=settings.worker_lease_seconds),
        poll_seconds=settings.worker_poll_seconds,
        shutdown_grace_seconds=settings.worker_shutdown_grace_seconds,
    )


def import_processor(settings: Settings, services: Services) -> ImportProcessor:
    """GitHub and Figma imports, against the APIs the settings name."""
    chosen = ImportSettings(github_api_url=settings.github_api_url, figma_api_url=settings.figma_api_url)
    return ImportProcessor(services.imports, services.oauth, services.drafts, chosen)


async def start_worker(
    core: Core, sandboxes: SandboxProvider | None = None, concurrency: int | None = None
) -> AgentWorker:
    """A running worker on `core`, woken through the broker whenever a run may start or an import
    waits. `sandboxes` is shared with whoever else writes into them (restores, in `forge serve`)."""
    settings = core.settings
    provider = model_provider(settings)
    chosen = worker_settings(settings, concurrency)
    runs = core.services.agent_runs
    executor = RunExecutor(
        runs,
        core.publisher,
        provider,
        sandboxes or sandbox_provider(settings),
        RunnerSettings(
            lease=chosen.lease,
            default_model=settings.default_model,
            limits=agent_limits(settings),
        ),
        BrokerCancellations(core.broker),
    )
    worker = AgentWorker(runs, executor, chosen, import_processor(settings, core.services))
    await listen_for_runs(core.broker, worker.wake)
    worker.start()
    return worker
