// The versions of a project and zip downloads: a panel (in the code pane's place, so the preview
// stays in view) listing every version with what it changed against the one before, a preview of
// it before restoring it, restore and download; and the head's button that downloads the current one.

import { formatTime, h, replaceChildren, shortTitle } from "./dom.js";
import { canEdit } from "./roles.js";
import { versionDiff } from "./version-diff.js";

const PAGE_SIZE = 50;

/**
 * view: the project's state (`id`, `project` for the zip's name, `fragment` for the current one,
 * `role`: only those who may edit get a Restore button; `versionTimes` learns each version's time);
 * hooks: {showError(text) where a failed download is reported, preview(fragment) shows a version,
 * toggled(open) when the panel opens or closes, loaded() when versions' times are known}.
 */
export function createHistory(view, api, hooks) {
  let open = false;
  let versions = []; // newest first, as loaded
  let complete = true; // the oldest loaded is the project's first version
  const expanded = new Set(); // ids of the versions whose changes are shown
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
    "section",
    { id: "history", class: "pane history", hidden: true, "aria-labelledby": "history-title" },
    h("div", { class: "row between" }, h("h2", { id: "history-title" }, "Versions"), close),
    h(
      "div",
      { class: "history-body stack" },
      h("p", { class: "hint" }, "Preview a version, see what it changed, or restore it: restoring makes it the latest again."),
      error,
      list,
    ),
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
    if (open) renderList();
  }

  async function load() {
    try {
      const page = await api.get(`/api/projects/${view.id}/fragments?limit=${PAGE_SIZE}`);
      versions = page.items;
      complete = page.nextCursor === null;
      for (const fragment of versions) view.versionTimes.set(fragment.id, fragment.createdAt);
      hooks.loaded();
      renderList();
    } catch (failure) {
      replaceChildren(list, h("li", { class: "error" }, failure.message));
    }
  }

  function renderList() {
    if (versions.length === 0) {
      return replaceChildren(list, h("li", { class: "empty" }, "No versions yet: the first run makes one."));
    }
    replaceChildren(list, versions.map((fragment, index) => item(fragment, versions[index + 1] ?? null)));
  }

  function item(fragment, previous) {
    const current = fragment.id === view.fragment?.id;
    const when = formatTime(fragment.createdAt);
    const title = shortTitle(fragment.title);
    const comparable = previous !== null || complete;
    const showing = expanded.has(fragment.id) && comparable;
    return h(
      "li",
      { dataset: { fragmentId: fragment.id } },
      h(
        "div",
        { class: "stack tight" },
        h("strong", { class: "version-title", title: fragment.title }, title),
        h("span", { class: "meta" }, `${when} · ${Object.keys(fragment.files).length} files${current ? " · current" : ""}`),
      ),
      h(
        "div",
        { class: "row wrap" },
        h(
          "button",
          {
            type: "button",
            disabled: !comparable,
            "aria-expanded": String(showing),
            "aria-label": `Changes in ${title} from ${when}`,
            onclick: () => {
              if (expanded.has(fragment.id)) expanded.delete(fragment.id);
              else expanded.add(fragment.id);
              renderList();
              list.querySelector(`[data-fragment-id="${fragment.id}"] button`)?.focus();
            },
          },
          "Changes",
        ),
        h("button", { type: "button", "aria-label": `Preview ${title} from ${when}`, onclick: () => hooks.preview(fragment) }, "Preview"),
        canEdit(view.role) ? restoreButton(fragment, current, `${title} from ${when}`) : null,
        h(
          "button",
          {
            type: "button",
            "aria-label": `Download ${title} from ${when} as a zip`,
            onclick: () => download(`/api/projects/${view.id}/fragments/${fragment.id}/download`),
          },
          "Zip",
        ),
      ),
      showing ? versionDiff(previous?.files ?? null, fragment.files) : null,
    );
  }

  function restoreButton(fragment, current, name) {
    return h(
      "button",
      {
        type: "button",
        disabled: current,
        "aria-label": `Restore ${name}`,
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
    hooks.toggled(open);
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
      hooks.showError(`Download failed: ${failure.message}`);
    }
  }

  toggle.addEventListener("click", () => setOpen());
  close.addEventListener("click", () => setOpen(false));
  panel.addEventListener("keydown", (event) => event.key === "Escape" && setOpen(false));
  downloadButton.addEventListener("click", () => download(`/api/projects/${view.id}/download`));

  return { toggle, downloadButton, panel, render, fragmentChanged, roleChanged };
}
