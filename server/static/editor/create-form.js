// The list page's "Build an app" form: a prompt (the page's one prompt box, prompt-field.js), a
// framework, a model of those the plan allows (`usage.allowedModels`) and, on the Pro plan, a
// design screenshot to build from (`imageUrl`, API.md).

import { ApiError } from "./api.js";
import { h } from "./dom.js";
import { PROJECT_MESSAGE, createPromptField } from "./prompt-field.js";

const FRAMEWORKS = [
  ["NEXTJS", "Next.js"],
  ["REACT", "React"],
  ["VUE", "Vue"],
  ["SVELTE", "Svelte"],
  ["ANGULAR", "Angular"],
];
const EXAMPLES = [
  "Build a to-do list app with a clean, minimal design",
  "A counter app with buttons to add and subtract",
  "A landing page for a neighbourhood coffee shop",
];

/** session: whose `usage` decides whether creating is possible now. */
export function createProjectForm(api, session) {
  const framework = h(
    "select",
    { id: "new-framework" },
    FRAMEWORKS.map(([value, label]) => h("option", { value }, label)),
  );
  const model = h("select", { id: "new-model" });
  const submit = h("button", { type: "submit", class: "primary" }, "Create project");
  const field = createPromptField({
    id: "new-prompt",
    label: "What should it be?",
    placeholder: "Describe the app you want…",
    limits: PROJECT_MESSAGE,
    hint: "Enter creates it (1 credit); Shift+Enter: new line.",
    send: submit,
    actions: [],
    submit: create,
  });
  const image = h("input", {
    id: "new-image",
    type: "url",
    placeholder: "https://…/design.png",
    autocomplete: "off",
    "aria-describedby": "new-image-hint new-image-error",
  });
  const imageError = h("p", { id: "new-image-error", class: "error", role: "alert" });
  const element = h(
    "form",
    {
      class: "stack create-form",
      onsubmit: (event) => {
        event.preventDefault();
        field.trySubmit();
      },
    },
    field.element,
    h(
      "div",
      { class: "row wrap" },
      h("span", { class: "hint" }, "Try:"),
      EXAMPLES.map((text) =>
        h(
          "button",
          {
            type: "button",
            class: "chip",
            onclick: () => {
              field.value = text;
              field.textarea.focus();
            },
          },
          text,
        ),
      ),
    ),
    h(
      "div",
      { class: "row wrap" },
      h("label", { for: "new-framework" }, "Framework"),
      framework,
      h("label", { for: "new-model" }, "Model"),
      model,
    ),
    h(
      "div",
      { class: "stack tight" },
      h("label", { for: "new-image" }, "Design screenshot (optional)"),
      image,
      h("span", { id: "new-image-hint", class: "hint" }, "The address of an image to build from; the Pro plan has it."),
      imageError,
    ),
    h("div", { class: "row" }, submit),
  );

  async function create(message) {
    imageError.textContent = "";
    const body = { message, framework: framework.value };
    if (model.value) body.model = model.value;
    const imageUrl = image.value.trim();
    if (imageUrl) body.imageUrl = imageUrl;
    field.setBusy(true);
    try {
      const project = await api.post("/api/projects", body);
      location.hash = `#/projects/${project.id}`;
    } catch (error) {
      field.setBusy(false);
      if (imageUrl && error instanceof ApiError && error.status === 403) {
        imageError.textContent = `Building from a screenshot needs the Pro plan, and yours is ${planName()}: remove the address, or upgrade.`;
        image.focus();
      } else {
        field.refused(error);
      }
    }
  }

  function planName() {
    const plan = session.usage?.plan ?? "FREE";
    return plan.charAt(0) + plan.slice(1).toLowerCase();
  }

  /** The credits or the plan changed: creating spends one of the user's own, with a model the plan allows. */
  function usageChanged() {
    field.setCredits(session.usage, true);
    showModels(session.usage?.allowedModels ?? []);
  }

  function showModels(allowed) {
    const chosen = model.value;
    const options = [["", "Default"], ...allowed.map((name) => [name, name])];
    model.replaceChildren(...options.map(([value, label]) => h("option", { value }, label)));
    model.value = allowed.includes(chosen) ? chosen : "";
  }

  usageChanged();
  return { element, usageChanged };
}

export function labelOf(framework) {
  return FRAMEWORKS.find(([value]) => value === framework)?.[1] ?? framework;
}
