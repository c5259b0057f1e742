// The connection badge in a project's head: Connecting…, Live, Reconnecting…, or Live (resynced)
// for a moment after the page was redrawn from a fresh snapshot, then plain Live again.

import { h } from "./dom.js";

const LABELS = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  resynced: "Live (resynced)",
};
const RESYNC_NOTICE_MS = 4_000;

export function createConnectionBadge() {
  const element = h("span", { id: "connection", class: "connection", role: "status" });
  let timer = null;

  /** state: the project channel's (channel.js). `data-resyncs` counts the snapshots redrawn. */
  function show(state) {
    clearTimeout(timer);
    if (state === "resynced") {
      element.dataset.resyncs = String(Number(element.dataset.resyncs ?? 0) + 1);
      timer = setTimeout(() => show("live"), RESYNC_NOTICE_MS);
    }
    element.dataset.state = state;
    element.textContent = LABELS[state] ?? state;
  }

  show("connecting");
  return { element, show, stop: () => clearTimeout(timer) };
}
