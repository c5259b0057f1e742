// One message of the conversation: a person's words as plain text, the assistant's as sanitized
// Markdown with highlighted code (the bundle's renderMarkdown), and the notes the project's runs
// add to them: queued, interrupted and retried, stopped, written by the offline demo model.

import { avatar } from "./avatars.js";
import { formatTime, h, replaceChildren, shortTitle } from "./dom.js";
import { renderMarkdown } from "./vendor/editor-libs.js";

const ISO_TIME = /\d{4}-\d\d-\d\dT[\d:.]+Z/g;
const rendered = new WeakMap(); // text element -> the content and type it shows, to skip redraws

export function messageElement(message) {
  const assistant = message.role !== "USER";
  return h(
    "li",
    { class: "message", dataset: { messageId: message.id, role: message.role } },
    h(
      "div",
      { class: "message-head" },
      h("span", { class: "who" }, assistant ? "Assistant" : "", assistant ? h("span", { class: "model-label", hidden: true }) : null),
      h("time", { datetime: message.createdAt }, formatTime(message.createdAt)),
    ),
    h("div", { class: assistant ? "message-text markdown" : "message-text" }),
    h("div", { class: "message-extra" }),
  );
}

/** The author's avatar and name, redrawn only when what is known of them changed. */
export function fillAuthor(who, author) {
  const key = JSON.stringify(author);
  if (who.dataset.key === key) return;
  who.dataset.key = key;
  if (!author) return replaceChildren(who, "Someone");
  replaceChildren(who, avatar(author.person, null, "small"), h("span", { class: "author" }, author.label));
}

/**
 * notes: what the runs say of the message: {queued, attempt (of a retried run), stopped, offline,
 * restoredAt (the restored version's time)}; each is falsy when it does not apply.
 */
export function fillBody(li, message, notes) {
  li.dataset.status = message.status;
  li.dataset.type = message.type;
  fillText(li.querySelector(".message-text"), message, notes.restoredAt);
  const label = li.querySelector(".model-label");
  if (label) {
    label.hidden = !notes.offline;
    label.textContent = notes.offline ? "offline demo model" : "";
  }
  const extra = li.querySelector(".message-extra");
  const streaming = message.status === "STREAMING" || message.status === "PENDING";
  const key = JSON.stringify([streaming, message.content === "", message.fragment?.id, message.fragment?.title, notes, message.attachments?.length]);
  if (extra.dataset.key === key) return;
  extra.dataset.key = key;
  replaceChildren(
    extra,
    attachmentList(message.attachments ?? []),
    notes.queued ? h("p", { class: "run-note", dataset: { note: "queued" } }, "Queued behind the current reply") : null,
    notes.attempt
      ? h(
          "p",
          { class: "run-note", dataset: { note: "retried" } },
          streaming ? `Interrupted, retrying (attempt ${notes.attempt})` : `Written after an interruption (attempt ${notes.attempt})`,
        )
      : null,
    notes.stopped ? h("p", { class: "run-note", dataset: { note: "stopped" } }, "Stopped: the reply ends here.") : null,
    streaming && message.content === "" ? h("span", { class: "thinking" }, "Thinking…") : null,
    streaming ? h("span", { class: "caret", "aria-hidden": "true" }) : null,
    message.fragment ? fragmentCard(message.fragment) : null,
  );
}

function fillText(element, message, restoredAt) {
  // A restore message names the version by its short title, and gives its time in the reader's
  // zone: earlier servers wrote an ISO time into the text, which stored messages still have.
  let content = message.content;
  if (restoredAt !== undefined) {
    content = content.replace(/“(.*)”/, (_, title) => `“${shortTitle(title)}”`).replace(ISO_TIME, (iso) => formatTime(iso));
    if (restoredAt && !content.includes(formatTime(restoredAt))) {
      content = `${content.replace(/\.$/, "")}, the version of ${formatTime(restoredAt)}.`;
    }
  }
  const key = `${message.type}|${content}`;
  if (rendered.get(element) === key) return;
  rendered.set(element, key);
  if (message.role === "USER" || message.type === "ERROR") {
    element.textContent = content;
    return;
  }
  element.innerHTML = renderMarkdown(content); // sanitized by DOMPurify in the bundle
  for (const link of element.querySelectorAll("a[href]")) {
    // A link in a reply opens beside the editor, never in its place.
    link.target = "_blank";
    link.rel = "noopener noreferrer";
  }
}

function fragmentCard(fragment) {
  const count = fragment.fileCount ?? Object.keys(fragment.files ?? {}).length;
  return h(
    "div",
    { class: "fragment-card" },
    h("strong", { class: "fragment-title", title: fragment.title }, shortTitle(fragment.title)),
    h("span", { class: "meta" }, ` · ${count} ${count === 1 ? "file" : "files"}`),
  );
}

const ATTACHMENT_LABELS = { IMAGE: "Image", FIGMA_FILE: "Figma design", GITHUB_REPO: "GitHub repository" };

function attachmentList(attachments) {
  if (attachments.length === 0) return null;
  return h(
    "ul",
    { class: "message-attachments" },
    attachments.map((attachment) =>
      h(
        "li",
        { dataset: { type: attachment.type } },
        /^https?:\/\//i.test(attachment.url)
          ? h("a", { href: attachment.url, target: "_blank", rel: "noopener noreferrer" }, ATTACHMENT_LABELS[attachment.type] ?? attachment.type)
          : ATTACHMENT_LABELS[attachment.type],
        h("span", { class: "meta" }, ` ${attachment.url.split("/").pop()}`),
      ),
    ),
  );
}
