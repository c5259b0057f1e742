// The project list: create from a prompt, rename, delete; kept live by the person's own channel
// (me.js). Projects shared with the user carry a badge with their role, and only the actions it
// allows.

import { createProjectForm, labelOf } from "./create-form.js";
import { formatTime, h, replaceChildren } from "./dom.js";
import { ROLE_LABELS, canDeleteProject, canEdit } from "./roles.js";

/**
 * ctx: {api, session, main()}; `session.projects` is the list to show, null until the channel's
 * first hello. Returns the page: {kind, stop(), projectsChanged(), usageChanged()}.
 */
export function openList(ctx, notice) {
  const { api, session, main } = ctx;
  const state = { editing: null, confirming: null };
  const list = h("ul", { id: "project-list", class: "projects" });
  const listError = h("p", { class: "error", role: "alert" });
  const form = createProjectForm(api, session);

  /** The channel changed the list: redrawn, but never under someone renaming or confirming a deletion. */
  function projectsChanged() {
    if (state.editing === null && state.confirming === null) render();
  }

  // The channel's `project.listed` or `project.unlisted` brings the change to the list.
  async function rename(project, name) {
    listError.textContent = "";
    try {
      await api.patch(`/api/projects/${project.id}`, { name });
      state.editing = null;
      render();
    } catch (error) {
      listError.textContent = error.message;
    }
  }

  async function remove(project) {
    listError.textContent = "";
    try {
      await api.delete(`/api/projects/${project.id}`);
      state.confirming = null;
      render();
      list.querySelector("a, button")?.focus();
    } catch (error) {
      listError.textContent = error.message;
    }
  }

  function render() {
    if (session.projects === null) return replaceChildren(list, h("li", { class: "empty" }, "Loading…"));
    if (session.projects.length === 0) {
      return replaceChildren(list, h("li", { class: "empty" }, "No projects yet: describe one above."));
    }
    replaceChildren(list, session.projects.map(item));
  }

  function item(project) {
    const meta = h(
      "span",
      { class: "meta" },
      `${labelOf(project.framework)} · updated ${formatTime(project.updatedAt)}`,
    );
    if (state.editing === project.id) {
      const input = h("input", { id: `rename-${project.id}`, value: project.name, maxlength: 100 });
      const form = h(
        "form",
        {
          class: "row",
          onsubmit: (event) => {
            event.preventDefault();
            rename(project, input.value);
          },
          onkeydown: (event) => {
            if (event.key === "Escape") {
              state.editing = null;
              render();
            }
          },
        },
        h("label", { for: `rename-${project.id}`, class: "visually-hidden" }, "New name"),
        input,
        h("button", { type: "submit", class: "primary" }, "Save"),
        h("button", { type: "button", onclick: () => { state.editing = null; render(); } }, "Cancel"),
      );
      queueMicrotask(() => input.select());
      return h("li", { dataset: { projectId: project.id } }, form);
    }
    return h(
      "li",
      { dataset: { projectId: project.id, role: project.role } },
      h(
        "div",
        { class: "stack tight" },
        h(
          "div",
          { class: "row wrap" },
          h("a", { href: `#/projects/${project.id}`, class: "name" }, project.name),
          badge(project),
        ),
        meta,
      ),
      state.confirming === project.id
        ? confirmation(project)
        : h("div", { class: "row" }, renameButton(project), deleteButton(project)),
    );
  }

  function renameButton(project) {
    if (!canEdit(project.role)) return null;
    return h(
      "button",
      {
        type: "button",
        "aria-label": `Rename ${project.name}`,
        onclick: () => { state.editing = project.id; render(); },
      },
      "Rename",
    );
  }

  function deleteButton(project) {
    if (!canDeleteProject(project.role)) return null;
    return h(
      "button",
      {
        type: "button",
        "aria-label": `Delete ${project.name}`,
        onclick: () => {
          state.confirming = project.id;
          render();
          list.querySelector(".confirm .danger")?.focus();
        },
      },
      "Delete",
    );
  }

  function confirmation(project) {
    return h(
      "div",
      { class: "row confirm", role: "group", "aria-label": `Delete ${project.name}?` },
      h("span", {}, "Delete it for good?"),
      h("button", { type: "button", class: "danger", onclick: () => remove(project) }, "Delete"),
      h("button", { type: "button", onclick: () => { state.confirming = null; render(); } }, "Keep"),
    );
  }

  replaceChildren(
    main(),
    h(
      "div",
      { class: "list-page" },
      h(
        "section",
        { class: "card stack", "aria-labelledby": "create-title" },
        h("h1", { id: "create-title" }, "Build an app"),
        notice ? h("p", { class: "notice", role: "status" }, notice) : null,
        form.element,
      ),
      h(
        "section",
        { class: "stack", "aria-labelledby": "projects-title" },
        h("h2", { id: "projects-title" }, "Your projects"),
        listError,
        list,
      ),
    ),
  );
  render();
  return { kind: "list", stop() {}, projectsChanged, usageChanged: form.usageChanged };
}

/** Someone else's project: the user's role on it, which decides what the list offers. */
function badge(project) {
  if (project.role === "OWNER") return null;
  return h(
    "span",
    { class: "badge", dataset: { role: project.role } },
    `Shared with you · ${ROLE_LABELS[project.role]}`,
  );
}
