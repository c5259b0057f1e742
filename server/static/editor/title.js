// The project's title: its name and framework in the page head and the tab, renamed in place.

import { h, replaceChildren } from "./dom.js";
import { labelOf } from "./create-form.js";
import { canEdit } from "./roles.js";

/** view: the project's state (`role` decides whether it offers a rename); a rename replaces its `project`. */
export function createTitle(view, api) {
  const element = h("div", { class: "title row" }, h("h1", { id: "project-name" }, "Loading…"));

  function render() {
    if (!view.project) return;
    document.title = `${view.project.name} · ForgeAI`;
    if (!element.querySelector("form")) {
      replaceChildren(
        element,
        h("h1", { id: "project-name" }, view.project.name),
        h("span", { class: "meta" }, labelOf(view.project.framework)),
        canEdit(view.role) ? h("button", { type: "button", class: "quiet", onclick: startRename }, "Rename") : null,
      );
    }
  }

  function startRename() {
    const input = h("input", { id: "project-rename", value: view.project.name, maxlength: 100 });
    const error = h("span", { class: "error", role: "alert" });
    const done = () => {
      replaceChildren(element);
      render();
      element.querySelector("button")?.focus();
    };
    replaceChildren(
      element,
      h(
        "form",
        {
          class: "row",
          onsubmit: async (event) => {
            event.preventDefault();
            try {
              view.project = await api.patch(`/api/projects/${view.id}`, { name: input.value });
              done();
            } catch (failure) {
              error.textContent = failure.message;
            }
          },
          onkeydown: (event) => event.key === "Escape" && done(),
        },
        h("label", { for: "project-rename", class: "visually-hidden" }, "Project name"),
        input,
        h("button", { type: "submit", class: "primary" }, "Save"),
        h("button", { type: "button", onclick: done }, "Cancel"),
        error,
      ),
    );
    input.select();
  }

  return { element, render };
}
