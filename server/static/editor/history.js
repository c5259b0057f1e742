// Fragment history and zip downloads: the panel listing every version to restore or download, and
// the head's button that downloads the current one.

import { formatTime, h, replaceChildren } from "./dom.js";
import { canEdit } from "./roles.js";

/**
 * view: the project's state (`id`, `project` for the zip's name, `fragment` for the current one,
 * `role`: only those who may edit get a Restore button);
 * showError(text): where a failed download is reported, the prompt's error line.
 */
export function createHistory(view, api, showError) {
  let open = false;
  const toggle = h(
    "button",
    { type: "button", id: "history-toggle", "aria-expanded": "false", "aria-controls": "history" },
    "History",
  );
  const downloadButton = h("button", { type: "button", id: "download", disabled: true }, "Download zip");
  const list = h("ul", { id: "history-list", class: "history-list" });
  const error = h("p", { class: "error", role: "alert" });
  const close = h("button", { type: "button", class: "quiet" }, "Close");
  const panel = h(
    "aside",
    { id: "history", class: "history card stack", hidden: true, "aria-labelledby": "history-title" },
    h("div", { class: "row between" }, h("h2", { id: "history-title" }, "Fragment history"), close),
    h("p", { class: "hint" }, "Restoring makes an earlier version the latest one again."),
    error,
    list,
  );

  function render() {
    downloadButton.disabled = !view.fragment;
  }

  /** A new version is current: the list, if open, gains it and moves "current" to it. */
  function fragmentChanged() {
    render();
    if (open) load();
  }

  /** The user's role changed: the list, if open, gains or loses its Restore buttons. */
  function roleChanged() {
    if (open) load();
  }

  async function load() {
    try {
      const pageOf = await api.get(`/api/projects/${view.id}/fragments?limit=50`);
      renderList(pageOf.items);
    } catch (failure) {
      replaceChildren(list, h("li", { class: "error" }, failure.message));
    }
  }

  function renderList(items) {
    if (items.length === 0) {
      return replaceChildren(list, h("li", { class: "empty" }, "No fragments yet."));
    }
    replaceChildren(
      list,
      items.map((fragment) => {
        const current = fragment.id === view.fragment?.id;
        return h(
          "li",
          { dataset: { fragmentId: fragment.id } },
          h(
            "div",
            { class: "stack tight" },
            h("strong", {}, fragment.title),
            h(
              "span",
              { class: "meta" },
              `${formatTime(fragment.createdAt)} · ${Object.keys(fragment.files).length} files${current ? " · current" : ""}`,
            ),
          ),
          h(
            "div",
            { class: "row" },
            canEdit(view.role) ? restoreButton(fragment, current) : null,
            h(
              "button",
              {
                type: "button",
                "aria-label": `Download ${fragment.title} from ${formatTime(fragment.createdAt)} as a zip`,
                onclick: () => download(`/api/projects/${view.id}/fragments/${fragment.id}/download`),
              },
              "Zip",
            ),
          ),
        );
      }),
    );
  }

  function restoreButton(fragment, current) {
    return h(
      "button",
      {
        type: "button",
        disabled: current,
        "aria-label": `Restore ${fragment.title} from ${formatTime(fragment.createdAt)}`,
        onclick: async (event) => {
          event.target.disabled = true;
          try {
            await api.post(`/api/projects/${view.id}/fragments/${fragment.id}/restore`);
          } catch (failure) {
            error.textContent = failure.message;
            event.target.disabled = false;
          }
        },
      },
      "Restore",
    );
  }

  function setOpen(next = !open) {
    open = next;
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open) {
      error.textContent = "";
      load();
      close.focus();
    } else {
      toggle.focus();
    }
  }

  async function download(path) {
    try {
      await api.download(path, `${view.project?.name ?? "project"}.zip`);
    } catch (failure) {
      showError(`Download failed: ${failure.message}`);
    }
  }

  toggle.addEventListener("click", () => setOpen());
  close.addEventListener("click", () => setOpen(false));
  panel.addEventListener("keydown", (event) => event.key === "Escape" && setOpen(false));
  downloadButton.addEventListener("click", () => download(`/api/projects/${view.id}/download`));

  return { toggle, downloadButton, panel, render, fragmentChanged, roleChanged };
}
