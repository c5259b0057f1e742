"""The code agent's loop: ask the model, run the tools it calls, until it gives its summary.

A round is one model call. Before each, the conversation is brought within the model's context
budget (budget.py). A round that fails for a passing reason is asked again after a backoff
(retry.py), going on after the text it had already shown (resumption.py). After each completed
round the loop hands its state to `on_round`, which the runner keeps as the run's checkpoint, so
that a worker taking the run over after a crash goes on from there.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

import msgspec

from domain.entities import RunUsage, TokenUsage
from forge.metrics import MODEL_RETRIES, MODEL_TOKENS
from workers.agent.budget import estimate_tokens, fit
from workers.agent.model import ChatMessage, ModelProvider, ModelRequest, ModelTurn, ModelUnavailable
from workers.agent.resumption import Continuation, resumed
from workers.agent.retry import ASKING_AGAIN, RetryPolicy, retry_delay, retry_stage
from workers.agent.summary import CLOSE, OPEN, SummaryState, SummaryTags
from workers.agent.tools import TOOLS, Toolbox, stage_of
from workers.streaming import ReplyStream

MAX_ITERATIONS = 15
MAX_CONTINUATIONS = 2
MAX_TOKENS = 8192
MAX_TOKENS_PER_RUN = 400_000
CONTEXT_BUDGET = 150_000
"""Input tokens of one request: Anthropic's models read 200,000, less the reply's MAX_TOKENS and
room for the estimate's error."""
TURN_SEPARATOR = "\n\n"

CONTINUE = "You were cut off by the output limit. Continue exactly where you stopped."
FINISH = (
    f"If the app is complete, reply with {OPEN}a short summary{CLOSE}. Otherwise continue with the tools."
)
OUT_OF_TOKENS = "(Stopped here: this request reached the token budget of one run.)"

OnStage = Callable[[str], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]
Show = Callable[[str], Awaitable[None]]


class AgentLimits(msgspec.Struct, frozen=True, kw_only=True):
    max_iterations: int = MAX_ITERATIONS
    max_continuations: int = MAX_CONTINUATIONS
    max_tokens: int = MAX_TOKENS
    """Output tokens of one model call."""
    max_tokens_per_run: int = MAX_TOKENS_PER_RUN
    """All the tokens of the run's model calls (read, cached, written): past it, no further call."""
    context_budget: int = CONTEXT_BUDGET
    """Input tokens of one request (system prompt, tools, conversation), for a model without a
    budget of its own in `context_budgets`."""
    context_budgets: dict[str, int] = msgspec.field(default_factory=dict)
    retry: RetryPolicy = RetryPolicy()

    def budget_for(self, model: str) -> int:
        return self.context_budgets.get(model, self.context_budget)


class AgentState(msgspec.Struct, frozen=True, kw_only=True):
    """Where the agent stands between two rounds: everything it needs to go on, in this process
    or, from the run's checkpoint, in another."""

    conversation: list[ChatMessage]
    opening: int
    """How many of the conversation's first messages came before the run's own rounds (earlier
    turns and the request)."""
    iterations: int = 0
    continuations: int = 0
    usage: RunUsage = msgspec.field(default_factory=RunUsage)
    summary: SummaryState = msgspec.field(default_factory=SummaryState)

    @classmethod
    def start(cls, conversation: list[ChatMessage]) -> AgentState:
        return cls(conversation=conversation, opening=len(conversation))


OnRound = Callable[[AgentState], Awaitable[None]]


class AgentResult(msgspec.Struct, frozen=True, kw_only=True):
    summary: str | None
    """What the model said it built, or None when it stopped without saying (iteration cap)."""
    iterations: int
    usage: RunUsage
    declined: bool = False
    """The model's last word was that it cannot do what was asked."""


class CodeAgent:
    def __init__(
        self,
        provider: ModelProvider,
        limits: AgentLimits,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.provider = provider
        self.limits = limits
        self.sleep = sleep
        self.jitter = jitter

    async def run(
        self,
        *,
        model: str,
        system: str,
        state: AgentState,
        toolbox: Toolbox,
        stream: ReplyStream,
        on_stage: OnStage,
        on_round: OnRound,
        interrupted: str = "",
    ) -> AgentResult:
        """Streams the model's text into `stream` (summary tags removed) and its files into the
        sandbox, from `state` on, until the model gives its summary or the run reaches its limits
        (model calls, or tokens: what the provider reports, checked after each call).
        `interrupted` is the text the tabs already have of a round an earlier attempt did not
        complete. Raises ModelError or SandboxError when either fails for good."""
        tags = SummaryTags(state.summary)
        fixed = estimate_tokens(system) + estimate_tokens(TOOLS)
        budget = self.limits.budget_for(model)
        conversation, opening = list(state.conversation), state.opening
        iterations, continuations, usage = state.iterations, state.continuations, state.usage
        shown, started = interrupted, bool(interrupted)

        async def show(text: str) -> None:
            nonlocal started
            visible = tags.feed(text)
            if visible and not started:
                started = True
                if stream.content and not stream.content.endswith(TURN_SEPARATOR):
                    visible = TURN_SEPARATOR + visible.lstrip("\n")
            await stream.write(visible)

        out_of_tokens = declined = False
        while iterations < self.limits.max_iterations:
            if usage.total.total > self.limits.max_tokens_per_run:
                # The last call's tools ran (they cost no tokens); the run ends with what it has.
                out_of_tokens = True
                break
            conversation, opening = fit(conversation, opening, fixed, budget)
            request = ModelRequest(
                model=model,
                system=system,
                messages=conversation,
                tools=TOOLS,
                max_tokens=self.limits.max_tokens,
            )
            turn = await self._round(request, shown, show, on_stage)
            shown, started = "", False
            declined = turn.declined
            usage = usage.plus(turn.usage)
            _count(model, turn.usage)
            if turn.stop_reason == "max_tokens" and continuations < self.limits.max_continuations:
                # A tool call cut off mid-input cannot run: keep the text, ask for the rest.
                continuations += 1
                conversation += [_text_only(turn), _user(CONTINUE)]
            else:
                iterations += 1
                conversation.append(turn.as_message())
                if turn.tool_calls:
                    await stream.flush()  # the text before a file comes before the file
                    results = []
                    for call in turn.tool_calls:
                        await on_stage(stage_of(call))
                        results.append(await toolbox.run(call))
                    conversation.append(ChatMessage(role="user", content=results))
                if tags.summary is not None:
                    break
                if not turn.tool_calls:
                    conversation.append(_user(FINISH))
            await on_round(
                AgentState(
                    conversation=list(conversation),
                    opening=opening,
                    iterations=iterations,
                    continuations=continuations,
                    usage=usage,
                    summary=tags.state(),
                )
            )
        await stream.write(tags.finish())
        if out_of_tokens:
            ended = stream.content and not stream.content.endswith(TURN_SEPARATOR)
            await stream.write((TURN_SEPARATOR if ended else "") + OUT_OF_TOKENS)
        return AgentResult(summary=tags.summary, iterations=iterations, usage=usage, declined=declined)

    async def _round(self, request: ModelRequest, shown: str, show: Show, on_stage: OnStage) -> ModelTurn:
        """One model call, asked again while it fails for a passing reason and the retry policy
        allows. `shown` is the round's text the tabs have already; the turn answered holds the
        round's whole text."""
        failures, waited = 0, 0.0
        while True:
            continuation = Continuation(shown)
            try:
                turn = await self.provider.reply(
                    msgspec.structs.replace(request, messages=resumed(request.messages, shown)),
                    _passing_on(continuation, show),
                )
                return msgspec.structs.replace(turn, text=shown + continuation.passed)
            except ModelUnavailable as error:
                shown += continuation.passed
                failures += 1
                delay = retry_delay(self.limits.retry, failures, waited, error.retry_after, self.jitter())
                if delay is None:
                    raise
                MODEL_RETRIES.inc()
                await on_stage(retry_stage(error.waiting, delay))
                await self.sleep(delay)
                waited += delay
                await on_stage(ASKING_AGAIN)


def _passing_on(continuation: Continuation, show: Show) -> Callable[[str], Awaitable[None]]:
    async def on_text(text: str) -> None:
        new = continuation.feed(text)
        if new:
            await show(new)

    return on_text


def _count(model: str, usage: TokenUsage) -> None:
    for kind, tokens in (
        ("input", usage.input_tokens),
        ("output", usage.output_tokens),
        ("cache_read", usage.cache_read_input_tokens),
        ("cache_creation", usage.cache_creation_input_tokens),
    ):
        MODEL_TOKENS.labels(model, kind).inc(tokens)


def _text_only(turn: ModelTurn) -> ChatMessage:
    return ChatMessage(role="assistant", content=[{"type": "text", "text": turn.text or "…"}])


def _user(text: str) -> ChatMessage:
    return ChatMessage(role="user", content=[{"type": "text", "text": text}])
