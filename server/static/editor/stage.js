// The run's stage line under the conversation: what the current reply is doing (or how the latest
// ended), how many prompts wait behind it, an interruption being retried, and a Stop button.

import { h, replaceChildren } from "./dom.js";
import { attemptOf, currentRun, isActive, queuedBehind, wasInterrupted } from "./runs.js";

/** stop(run): asks the server to cancel the run; the Stop button is shown only when canStop(). */
export function createStage({ stop, canStop }) {
  const text = h("span", { class: "stage-text", role: "status", "aria-live": "polite" });
  const stopButton = h(
    "button",
    { type: "button", id: "stop", class: "stop", hidden: true, "aria-label": "Stop the current reply" },
    "Stop",
  );
  const element = h("div", { id: "run-stage", class: "stage", hidden: true }, text, stopButton);
  let shown = null;

  /** runs: the project's runs by id; interrupted: ids of runs this page saw go back to the queue. */
  function show(runs, interrupted) {
    const run = currentRun(runs);
    shown = run;
    element.hidden = run === null;
    element.dataset.status = run?.status ?? "";
    stopButton.hidden = !isActive(run) || !canStop();
    stopButton.disabled = false;
    if (!run) return replaceChildren(text);
    const waiting = queuedBehind(runs, run).length;
    const behind = waiting ? ` · ${waiting} more ${waiting === 1 ? "message" : "messages"} queued behind this reply` : "";
    replaceChildren(
      text,
      isActive(run) ? h("span", { class: "spinner", "aria-hidden": "true" }) : null,
      describe(run, interrupted) + behind,
    );
  }

  stopButton.addEventListener("click", async () => {
    if (!shown) return;
    stopButton.disabled = true;
    await stop(shown);
  });

  return { element, show };
}

function describe(run, interrupted) {
  const retry = wasInterrupted(run, interrupted) ? `Interrupted, retrying (attempt ${attemptOf(run)})` : null;
  switch (run.status) {
    case "PENDING":
      return retry ? `${retry}: waiting for a worker…` : "Queued: waiting for a worker…";
    case "RUNNING":
      return [retry, run.stage || "Working…"].filter(Boolean).join(" · ");
    case "COMPLETED":
      return "Run finished";
    case "FAILED":
      return `Run failed: ${run.error || "no reason given"}`;
    case "CANCELLED":
      return "Stopped: the reply is kept as far as it got";
    default:
      return run.status;
  }
}
