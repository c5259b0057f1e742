"""The code agent's loop: ask the model, run the tools it calls, until it gives its summary."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec

from workers.agent.model import ChatMessage, ModelProvider, ModelRequest, ModelTurn
from workers.agent.summary import CLOSE, OPEN, SummaryTags
from workers.agent.tools import TOOLS, Toolbox, stage_of
from workers.streaming import ReplyStream

MAX_ITERATIONS = 15
MAX_CONTINUATIONS = 2
MAX_TOKENS = 8192
MAX_TOKENS_PER_RUN = 400_000
TURN_SEPARATOR = "\n\n"

CONTINUE = "You were cut off by the output limit. Continue exactly where you stopped."
FINISH = (
    f"If the app is complete, reply with {OPEN}a short summary{CLOSE}. Otherwise continue with the tools."
)
OUT_OF_TOKENS = "(Stopped here: this request reached the token budget of one run.)"

OnStage = Callable[[str], Awaitable[None]]


class AgentLimits(msgspec.Struct, frozen=True, kw_only=True):
    max_iterations: int = MAX_ITERATIONS
    max_continuations: int = MAX_CONTINUATIONS
    max_tokens: int = MAX_TOKENS
    """Output tokens of one model call."""
    max_tokens_per_run: int = MAX_TOKENS_PER_RUN
    """Input plus output tokens of all the run's model calls: past it, no further call is made."""


class AgentResult(msgspec.Struct, frozen=True, kw_only=True):
    summary: str | None
    """What the model said it built, or None when it stopped without saying (iteration cap)."""
    iterations: int
    input_tokens: int
    output_tokens: int


class CodeAgent:
    def __init__(self, provider: ModelProvider, limits: AgentLimits) -> None:
        self.provider = provider
        self.limits = limits

    async def run(
        self,
        *,
        model: str,
        system: str,
        messages: list[ChatMessage],
        toolbox: Toolbox,
        stream: ReplyStream,
        on_stage: OnStage,
    ) -> AgentResult:
        """Streams the model's text into `stream` (summary tags removed) and its files into the
        sandbox, until the model gives its summary or the run reaches its limits (model calls, or
        tokens: what the provider reports, checked after each call). Raises ModelError or
        SandboxError when either fails."""
        tags = SummaryTags()
        turn_started = False

        async def on_text(text: str) -> None:
            nonlocal turn_started
            shown = tags.feed(text)
            if shown and not turn_started:
                turn_started = True
                if stream.content and not stream.content.endswith(TURN_SEPARATOR):
                    shown = TURN_SEPARATOR + shown.lstrip("\n")
            await stream.write(shown)

        conversation = list(messages)
        iterations = continuations = input_tokens = output_tokens = 0
        out_of_tokens = False
        while iterations < self.limits.max_iterations:
            if input_tokens + output_tokens > self.limits.max_tokens_per_run:
                # The last call's tools ran (they cost no tokens); the run ends with what it has.
                out_of_tokens = True
                break
            turn_started = False
            turn = await self.provider.reply(
                ModelRequest(
                    model=model,
                    system=system,
                    messages=conversation,
                    tools=TOOLS,
                    max_tokens=self.limits.max_tokens,
                ),
                on_text,
            )
            input_tokens += turn.input_tokens
            output_tokens += turn.output_tokens
            if turn.stop_reason == "max_tokens" and continuations < self.limits.max_continuations:
                # A tool call cut off mid-input cannot run: keep the text, ask for the rest.
                continuations += 1
                conversation.append(_text_only(turn))
                conversation.append(_user(CONTINUE))
                continue
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
                continue
            if tags.summary is not None:
                break
            conversation.append(_user(FINISH))
        await stream.write(tags.finish())
        if out_of_tokens:
            started = stream.content and not stream.content.endswith(TURN_SEPARATOR)
            await stream.write((TURN_SEPARATOR if started else "") + OUT_OF_TOKENS)
        return AgentResult(
            summary=tags.summary,
            iterations=iterations,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
        )


def _text_only(turn: ModelTurn) -> ChatMessage:
    return ChatMessage(role="assistant", content=[{"type": "text", "text": turn.text or "…"}])


def _user(text: str) -> ChatMessage:
    return ChatMessage(role="user", content=[{"type": "text", "text": text}])
