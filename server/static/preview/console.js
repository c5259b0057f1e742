// Injected into local previews: the app's errors and console warnings go to the editor page that
// frames it, which shows them in its console panel. The preview has an opaque origin (its
// sandbox policy), so the message is all it can send, and the page checks where it came from.
(() => {
  const MAX_TEXT = 2000;
  const send = (level, text) => {
    try {
      parent.postMessage({ type: "forge.preview.console", level, text: String(text).slice(0, MAX_TEXT) }, "*");
    } catch {
      // a preview opened on its own has no page to tell
    }
  };
  const describe = (value) => {
    if (value instanceof Error) return value.stack || `${value.name}: ${value.message}`;
    if (typeof value === "string") return value;
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  };
  addEventListener("error", (event) => {
    const where = event.filename ? ` (${event.filename}:${event.lineno})` : "";
    send("error", (event.error ? describe(event.error) : event.message) + where);
  });
  addEventListener("unhandledrejection", (event) => send("error", `Unhandled rejection: ${describe(event.reason)}`));
  for (const level of ["error", "warn"]) {
    const original = console[level].bind(console);
    console[level] = (...args) => {
      send(level, args.map(describe).join(" "));
      original(...args);
    };
  }
})();
