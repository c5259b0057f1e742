// What goes with the next prompt besides its text: images by address (attachments of type IMAGE, as
// the API takes them) and designs imported from Figma (FIGMA_FILE with the import's id), shown as
// chips above the Send line until the prompt is taken.

import { h, replaceChildren } from "./dom.js";

const MAX_ATTACHMENTS = 10; // API.md: at most 10 per message
const MAX_URL = 2048;

export function createAttachments() {
  let items = []; // [{attachment, label}]
  const chips = h("ul", { id: "prompt-attachments", class: "chips", "aria-label": "Attached to your next message" });
  const url = h("input", { id: "image-url", type: "url", placeholder: "https://…/screenshot.png", autocomplete: "off" });
  const error = h("p", { id: "image-url-error", class: "error", role: "alert" });
  const add = h("button", { type: "button" }, "Add");
  const cancel = h("button", { type: "button", class: "quiet" }, "Cancel");
  const imageForm = h(
    "div",
    { id: "image-form", class: "stack tight", hidden: true },
    h("label", { for: "image-url" }, "Image address"),
    h("div", { class: "row" }, url, add, cancel),
    error,
  );
  const toggle = h(
    "button",
    { type: "button", id: "attach-image", "aria-expanded": "false", "aria-controls": "image-form" },
    "Attach image",
  );
  const element = h("div", { class: "attachments stack tight" }, chips, imageForm);

  function render() {
    chips.hidden = items.length === 0;
    replaceChildren(
      chips,
      items.map((item, index) =>
        h(
          "li",
          { class: "chip", dataset: { type: item.attachment.type } },
          h("span", { class: "chip-label", title: item.attachment.url }, item.label),
          h(
            "button",
            { type: "button", class: "quiet", "aria-label": `Remove ${item.label}`, onclick: () => remove(index) },
            "×",
          ),
        ),
      ),
    );
  }

  function remove(index) {
    items = items.filter((_, i) => i !== index);
    render();
    toggle.focus();
  }

  /** attachment: the API's shape ({type, url, size, importId?}); label: what the chip says. */
  function attach(attachment, label) {
    if (items.length >= MAX_ATTACHMENTS) return `A message takes at most ${MAX_ATTACHMENTS} attachments.`;
    items = [...items, { attachment, label }];
    render();
    return null;
  }

  function setFormOpen(open) {
    imageForm.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    error.textContent = "";
    if (open) url.focus();
    else toggle.focus();
  }

  function addImage() {
    const address = url.value.trim();
    if (!/^https?:\/\/\S+$/i.test(address) || address.length > MAX_URL) {
      error.textContent = "Give the image's web address, starting with https://.";
      return;
    }
    const refused = attach({ type: "IMAGE", url: address, size: 0 }, `Image: ${address.split("/").pop() || address}`);
    if (refused) {
      error.textContent = refused;
      return;
    }
    url.value = "";
    setFormOpen(false);
  }

  toggle.addEventListener("click", () => setFormOpen(imageForm.hidden));
  add.addEventListener("click", addImage);
  cancel.addEventListener("click", () => setFormOpen(false));
  url.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // not the prompt's form: Enter adds the image
      addImage();
    } else if (event.key === "Escape") {
      setFormOpen(false);
    }
  });
  render();

  return {
    element,
    toggle,
    attach,
    values: () => items.map((item) => item.attachment),
    clear() {
      items = [];
      render();
    },
  };
}
