// The chat's prompt box: sends a prompt (and its attachments) over the channel, waits for the server
// to take or refuse it, and says when it waits behind the reply still being written. A viewer sees
// a line saying who can change the project instead.

import { createAttachments } from "./attachments.js";
import { h } from "./dom.js";
import { CHAT_VALUE, createPromptField } from "./prompt-field.js";

const PROMPT_ANSWER_TIMEOUT_MS = 10_000;

export function createPrompt(channel) {
  let refs = 0;
  let pending = null; // the prompt sent and not yet answered: {ref, value, timer}
  let queued = null; // the id of this tab's message that waits behind another reply
  const send = h("button", { type: "submit", class: "primary", id: "send" }, "Send");
  const attachments = createAttachments();
  const field = createPromptField({
    id: "prompt",
    label: "Message the assistant",
    placeholder: "Ask for a change…",
    limits: CHAT_VALUE,
    hint: "Enter sends (1 credit); Shift+Enter: new line.",
    send,
    actions: [send, attachments.toggle],
    submit: sendPrompt,
  });
  const notice = h("p", { id: "prompt-notice", class: "notice-line", role: "status" });
  const form = h("form", { id: "prompt-form", class: "prompt stack tight" }, attachments.element, field.element, notice);
  const readOnly = h("p", { id: "read-only", class: "read-only", hidden: true });
  const element = h("div", { class: "prompt-area" }, form, readOnly);

  function sendPrompt(value) {
    if (pending) return;
    notice.textContent = "";
    const ref = `prompt-${++refs}`;
    const frame = { type: "prompt", value, ref };
    const attached = attachments.values();
    if (attached.length) frame.attachments = attached;
    if (!channel.send(frame)) {
      field.showError("Not connected right now; send again when the connection is live.", "offline");
      return;
    }
    pending = { ref, value, timer: setTimeout(settle, PROMPT_ANSWER_TIMEOUT_MS) };
    field.setBusy(true);
  }

  /**
   * A user message with the text this tab sent is its prompt, taken by the server. `waitsBehind`:
   * another reply is still being written, so this one starts after it.
   */
  function acceptIfSent(message, waitsBehind) {
    if (!pending || pending.value.trim() !== message.content.trim()) return;
    field.clear();
    attachments.clear();
    settle();
    queued = waitsBehind ? message.id : null;
    notice.textContent = waitsBehind
      ? "Sent. It is queued behind the current reply and starts when that one ends."
      : "";
  }

  /** runs: the project's runs; the queued notice goes once this tab's prompt starts or ends. */
  function runsChanged(runs) {
    if (queued === null) return;
    const run = [...runs.values()].find((r) => r.messageId === queued);
    if (run && run.status !== "PENDING") {
      queued = null;
      notice.textContent = "";
    }
  }

  /** An `error` frame: the server refused a prompt (this tab's, unless it names another ref). */
  function refused(frame) {
    if (pending && frame.ref && frame.ref !== pending.ref) return;
    field.refused(frame);
    settle();
  }

  function settle() {
    if (pending) clearTimeout(pending.timer);
    pending = null;
    field.setBusy(false);
  }

  /** A role change takes effect at once: the box gives way to the line, or comes back. */
  function setEditable(editable, ownerName) {
    if (!editable) settle();
    form.hidden = !editable;
    readOnly.hidden = editable;
    readOnly.textContent = editable
      ? ""
      : `You can view this project. Its owner ${ownerName} or an editor can change it.`;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    field.trySubmit();
  });

  return {
    element,
    acceptIfSent,
    runsChanged,
    refused,
    settle,
    showError: field.showError,
    setCredits: field.setCredits,
    attach: attachments.attach,
    setEditable,
  };
}
