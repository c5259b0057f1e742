// The preview's console panel: the errors and warnings of a local preview's app, which the script
// every local preview page loads (/preview/console.js, API.md) posts to this page. Only messages
// from the preview's own frame count: any page can post to this one.

import { h, replaceChildren } from "./dom.js";

const MESSAGE_TYPE = "forge.preview.console";
const LEVELS = new Set(["error", "warn"]);
const MAX_ENTRIES = 100; // an app logging in a loop must not grow the page without end

/** frame(): the preview's iframe now on screen, or null. */
export function createPreviewConsole(frame) {
  let entries = [];
  let dropped = 0;
  const summary = h("summary", {}, "Console");
  const list = h("ol", { class: "console-list", "aria-label": "The app's errors and warnings" });
  const clear = h("button", { type: "button", class: "quiet" }, "Clear");
  const element = h(
    "details",
    { id: "preview-console", class: "preview-console", hidden: true },
    summary,
    h("div", { class: "console-body" }, h("div", { class: "row between" }, h("span", { class: "hint" }, "From the app in the preview"), clear), list),
  );

  function receive(event) {
    const data = event.data;
    const current = frame();
    if (!current || event.source !== current.contentWindow) return;
    if (data?.type !== MESSAGE_TYPE || !LEVELS.has(data.level) || typeof data.text !== "string") return;
    entries.push({ level: data.level, text: data.text });
    if (entries.length > MAX_ENTRIES) {
      dropped += entries.length - MAX_ENTRIES;
      entries = entries.slice(-MAX_ENTRIES);
    }
    render();
  }

  function render() {
    const errors = entries.filter((e) => e.level === "error").length;
    const warnings = entries.length - errors;
    const counts = [errors && `${errors} ${errors === 1 ? "error" : "errors"}`, warnings && `${warnings} ${warnings === 1 ? "warning" : "warnings"}`];
    summary.textContent = `Console${entries.length ? `: ${counts.filter(Boolean).join(", ")}` : ""}`;
    element.dataset.errors = String(errors);
    replaceChildren(
      list,
      dropped ? h("li", { class: "meta" }, `${dropped} earlier ${dropped === 1 ? "entry" : "entries"} left out`) : null,
      entries.length === 0 ? h("li", { class: "meta" }, "Nothing logged.") : null,
      entries.map((entry) => h("li", { class: "console-entry", dataset: { level: entry.level } }, entry.text)),
    );
  }

  /** A new page in the frame (another version, a reload): its log starts empty. `local`: the
   * preview is served by this server, whose pages report to the panel. */
  function reset(local) {
    entries = [];
    dropped = 0;
    element.hidden = !local;
    render();
  }

  clear.addEventListener("click", () => reset(true));
  window.addEventListener("message", receive);
  render();

  return { element, reset, stop: () => window.removeEventListener("message", receive) };
}
