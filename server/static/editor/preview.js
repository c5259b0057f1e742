// The Preview pane: the latest fragment's app (or, on request, any version's stored files) in a
// sandboxed frame at the width of a desktop, a tablet or a phone, with the app's console for
// previews this server serves. The frame is redrawn only when what it shows changes, so a running
// preview keeps its state.

import { formatTime, h, replaceChildren, shortTitle } from "./dom.js";
import { createPreviewConsole } from "./preview-console.js";

const DEVICES = [
  ["desktop", "Desktop"],
  ["tablet", "Tablet"],
  ["phone", "Phone"],
];

/** A preview this server serves (API.md: /preview/…), whose pages report their errors. */
function isLocal(url) {
  try {
    const parsed = new URL(url, location.href);
    return parsed.origin === location.origin && parsed.pathname.startsWith("/preview/");
  } catch {
    return false;
  }
}

/** view: the project's state, whose `fragment` is the version previewed unless another is chosen. */
export function createPreview(view) {
  let shown; // "key|url" of the frame on screen, null when there is none, unset until drawn
  let version = null; // the version chosen in the history, shown instead of the latest
  let frame = null;
  const box = h("div", { id: "preview", class: "preview-box", dataset: { device: "desktop" } });
  const open = h(
    "a",
    { href: "#", target: "_blank", rel: "noopener noreferrer", hidden: true, "aria-label": "Open the preview in a new tab" },
    "Open ↗",
  );
  const reload = h("button", { type: "button", class: "quiet", hidden: true }, "Reload");
  const devices = h(
    "div",
    { class: "row devices", role: "group", "aria-label": "Preview width" },
    DEVICES.map(([device, label]) =>
      h(
        "button",
        { type: "button", class: "quiet", dataset: { device }, "aria-pressed": String(device === "desktop"), onclick: () => setDevice(device) },
        label,
      ),
    ),
  );
  const banner = h("div", { id: "version-banner", class: "version-banner", role: "status", hidden: true });
  const appConsole = createPreviewConsole(() => frame);
  const element = h(
    "section",
    { id: "preview-pane", class: "pane preview", "aria-labelledby": "preview-title" },
    h(
      "div",
      { class: "row between wrap" },
      h("h2", { id: "preview-title" }, "Preview"),
      h("div", { class: "row wrap" }, devices, reload, open),
    ),
    banner,
    box,
    appConsole.element,
  );

  function setDevice(device) {
    box.dataset.device = device;
    for (const button of devices.querySelectorAll("button")) {
      button.setAttribute("aria-pressed", String(button.dataset.device === device));
    }
  }

  function target() {
    if (version) {
      return { key: `version:${version.id}`, url: `/preview/versions/${version.id}/`, title: version.title };
    }
    const url = view.fragment?.sandboxUrl ?? null;
    if (!url || !/^https?:\/\//.test(url)) return { key: null, url, title: null };
    return { key: view.fragment.id, url, title: view.fragment.title };
  }

  function render() {
    renderBanner();
    const next = target();
    const key = next.key === null ? null : `${next.key}|${next.url}`;
    if (key === shown) return;
    shown = key;
    if (next.key === null) {
      frame = null;
      open.hidden = true;
      reload.hidden = true;
      appConsole.reset(false);
      return replaceChildren(box, placeholder(next.url));
    }
    open.href = next.url;
    open.hidden = false;
    reload.hidden = false;
    // The preview is the model's code: sandboxed here as well as by the server's own policy.
    frame = h("iframe", {
      id: "preview-frame",
      title: `Preview of ${shortTitle(next.title)}`,
      src: next.url,
      sandbox: "allow-scripts allow-forms allow-modals allow-popups",
      referrerpolicy: "no-referrer",
    });
    appConsole.reset(isLocal(next.url));
    replaceChildren(box, frame);
  }

  function renderBanner() {
    banner.hidden = version === null;
    if (!version) return replaceChildren(banner);
    replaceChildren(
      banner,
      h("span", {}, `Previewing “${shortTitle(version.title)}” from ${formatTime(version.createdAt)}, not the current version.`),
      h("button", { type: "button", onclick: showLatest }, "Back to the latest"),
    );
  }

  /** Shows a version's stored files (API.md: /preview/versions/{fragmentId}/) until showLatest(). */
  function showVersion(fragment) {
    version = fragment.id === view.fragment?.id ? null : fragment;
    render();
  }

  function showLatest() {
    version = null;
    render();
  }

  reload.addEventListener("click", () => {
    if (!frame) return;
    appConsole.reset(isLocal(frame.src));
    frame.src = frame.src;
  });

  return { element, render, showVersion, stop: appConsole.stop };
}

function placeholder(url) {
  if (url) {
    return h("p", { class: "empty" }, "This version runs in the browser's WebContainer; there is no preview address.");
  }
  return h(
    "div",
    { id: "preview-placeholder", class: "preview-placeholder" },
    h("strong", {}, "Your app appears here"),
    h("p", {}, "Describe what you want in the chat: the preview starts when the first run finishes."),
  );
}
