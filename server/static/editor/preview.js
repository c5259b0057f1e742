// The Preview pane: the latest fragment's sandbox in a sandboxed frame, redrawn only when the
// fragment or its URL changes so a running preview keeps its state.

import { h, replaceChildren } from "./dom.js";

/** view: the project's state, whose `fragment` is the version previewed. */
export function createPreview(view) {
  let shown; // "fragment id|url" of the frame on screen, null when there is none, unset until drawn
  const box = h("div", { id: "preview", class: "preview-box" });
  const open = h("a", { href: "#", target: "_blank", rel: "noopener noreferrer", hidden: true }, "Open in a new tab");
  const reload = h("button", { type: "button", class: "quiet", hidden: true }, "Reload");
  const element = h(
    "section",
    { class: "pane preview", "aria-labelledby": "preview-title" },
    h("div", { class: "row between" }, h("h2", { id: "preview-title" }, "Preview"), h("div", { class: "row" }, reload, open)),
    box,
  );

  function render() {
    const url = view.fragment?.sandboxUrl ?? null;
    const usable = url && /^https?:\/\//.test(url);
    const key = usable ? `${view.fragment.id}|${url}` : null;
    if (key === shown) return;
    shown = key;
    if (!usable) {
      open.hidden = true;
      reload.hidden = true;
      return replaceChildren(
        box,
        h(
          "p",
          { class: "empty" },
          url ? "This fragment runs in the browser's WebContainer; there is no preview URL." : "The preview appears when the first run finishes.",
        ),
      );
    }
    open.href = url;
    open.hidden = false;
    reload.hidden = false;
    // The preview is the model's code: sandboxed here as well as by the server's own policy.
    const frame = h("iframe", {
      id: "preview-frame",
      title: `Preview of ${view.fragment.title}`,
      src: url,
      sandbox: "allow-scripts allow-forms allow-modals allow-popups",
      referrerpolicy: "no-referrer",
    });
    replaceChildren(box, frame);
  }

  reload.addEventListener("click", () => {
    const frame = document.getElementById("preview-frame");
    if (frame) frame.src = frame.src;
  });

  return { element, render };
}
