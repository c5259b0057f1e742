// The run's stage line under the conversation: what the latest run is doing, or how it ended.

import { h, replaceChildren } from "./dom.js";

export function createStage() {
  const element = h("p", { id: "run-stage", class: "stage", role: "status", "aria-live": "polite" });

  /** runs: the project's runs by id; the line shows the newest. */
  function show(runs) {
    const sorted = [...runs.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const run = sorted[sorted.length - 1];
    if (!run) {
      element.dataset.status = "";
      return replaceChildren(element);
    }
    element.dataset.status = run.status;
    const text = {
      PENDING: "Queued: waiting for a worker…",
      RUNNING: run.stage || "Working…",
      COMPLETED: "Run finished",
      FAILED: `Run failed: ${run.error || "no reason given"}`,
    }[run.status] ?? run.status;
    replaceChildren(
      element,
      run.status === "RUNNING" || run.status === "PENDING" ? h("span", { class: "spinner", "aria-hidden": "true" }) : null,
      text,
    );
  }

  return { element, show };
}
