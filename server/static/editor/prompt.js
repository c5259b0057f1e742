// The prompt box: sends a prompt over the channel, waits for the server to take or refuse it, and
// shows a refusal inline under the box. A viewer sees a line saying who can change the project.

import { formatTime, h } from "./dom.js";

const PROMPT_ANSWER_TIMEOUT_MS = 10_000;

export function createPrompt(channel) {
  let refs = 0;
  let pending = null; // the prompt sent and not yet answered: {ref, value, timer}
  const prompt = h("textarea", {
    id: "prompt",
    rows: 3,
    placeholder: "Ask for a change…",
    "aria-describedby": "prompt-hint prompt-error",
  });
  const count = h("span", { class: "meta", "aria-hidden": "true" });
  const send = h("button", { type: "submit", class: "primary", id: "send" }, "Send");
  const error = h("p", { id: "prompt-error", class: "error", role: "alert" });
  const form = h(
    "form",
    { id: "prompt-form", class: "prompt stack tight" },
    h("label", { for: "prompt" }, "Message the assistant"),
    prompt,
    h(
      "div",
      { class: "row between" },
      h("span", { id: "prompt-hint", class: "hint" }, "Enter sends (1 credit); Shift+Enter: new line."),
      count,
      send,
    ),
    error,
  );
  const readOnly = h("p", { id: "read-only", class: "read-only", hidden: true });
  const element = h("div", { class: "prompt-area" }, form, readOnly);

  function sendPrompt(event) {
    event.preventDefault();
    if (pending) return;
    showError("");
    const value = prompt.value;
    const ref = `prompt-${++refs}`;
    if (!channel.send({ type: "prompt", value, ref })) {
      showError("Not connected right now; send again when the connection is live.");
      return;
    }
    pending = { ref, value, timer: setTimeout(settle, PROMPT_ANSWER_TIMEOUT_MS) };
    send.disabled = true;
    form.setAttribute("aria-busy", "true");
  }

  /** A user message with the text this tab sent is its prompt, taken by the server. */
  function acceptIfSent(message) {
    if (!pending || pending.value.trim() !== message.content.trim()) return;
    prompt.value = "";
    updateCount();
    settle();
  }

  /** An `error` frame: the server refused a prompt (this tab's, unless it names another ref). */
  function refused(frame) {
    if (pending && frame.ref && frame.ref !== pending.ref) return;
    showError(describeRefusal(frame), frame.code);
    settle();
  }

  function settle() {
    if (pending) clearTimeout(pending.timer);
    pending = null;
    send.disabled = false;
    form.removeAttribute("aria-busy");
  }

  function showError(text, code) {
    error.textContent = text;
    if (code) error.dataset.code = code;
    else delete error.dataset.code;
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

  function updateCount() {
    count.textContent = `${prompt.value.length.toLocaleString()} / 10,000`;
  }

  form.addEventListener("submit", sendPrompt);
  prompt.addEventListener("input", () => {
    updateCount();
    if (error.textContent) showError("");
  });
  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  updateCount();

  return { element, acceptIfSent, refused, settle, showError, setEditable };
}

function describeRefusal(frame) {
  const when = (text) => text.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/, (iso) => formatTime(iso));
  if (frame.code === "out_of_credits") return `Out of credits: ${when(frame.message)}`;
  if (frame.code === "invalid_input") {
    const reason = frame.message.replace(/^value: /, "");
    if (/at least/.test(reason)) return `Too short: the message ${reason}.`;
    if (/at most/.test(reason)) return `Too long: the message ${reason}.`;
    return `Not accepted: ${reason}.`;
  }
  if (frame.code === "rate_limited") return `Slow down: ${frame.message}`;
  return frame.message;
}
