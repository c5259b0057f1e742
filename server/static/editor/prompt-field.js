// The one prompt box of the page, used by the create form (list.js) and the chat (prompt.js): the
// same length check before anything is sent, the same friendly words for every refusal, whether it
// came from REST or as an `error` frame, times in the reader's zone, and Send held back when the
// credits it would spend are used up.

import { formatTime, h } from "./dom.js";

// API.md: a project's first `message` is 3–1,000 characters, a prompt's `value` 1–10,000.
export const PROJECT_MESSAGE = { field: "message", min: 3, max: 1000 };
export const CHAT_VALUE = { field: "value", min: 1, max: 10_000 };

const ISO_TIME = /\d{4}-\d\d-\d\dT[\d:.]+Z/;

function characters(n) {
  return `${n.toLocaleString()} ${n === 1 ? "character" : "characters"}`;
}

/** The length check the server makes (whitespace around the text does not count towards the
 * minimum; lengths in code points, as Python counts them): the words to show, or null. */
function lengthProblem(text, limits) {
  if (Array.from(text.trim()).length < limits.min) return tooShort(limits);
  if (Array.from(text).length > limits.max) return tooLong(limits);
  return null;
}

const tooShort = ({ min }) => `Too short: write at least ${characters(min)}.`;
const tooLong = ({ max }) => `Too long: write at most ${characters(max)}.`;

/** When the next credit comes back, in the reader's zone. */
function outOfCreditsText(resetsAt) {
  return resetsAt ? `Out of credits: the next one comes back at ${formatTime(resetsAt)}.` : "Out of credits for now.";
}

/**
 * A refusal in the page's words. `refusal` is an ApiError (REST: status and problem details) or an
 * `error` frame ({code, message}); `limits` names the field whose length rules apply.
 */
function describeRefusal(refusal, limits) {
  const problem = refusal.problem ?? null;
  const code = refusal.code ?? codeOf(refusal.status, problem);
  if (code === "out_of_credits") {
    return outOfCreditsText(problem?.resetsAt ?? ISO_TIME.exec(refusal.message ?? "")?.[0]);
  }
  if (code === "invalid_input") {
    // REST lists {field, message}; a frame says "field: message; field: message".
    const reasons =
      problem?.errors?.map((e) => `${e.field}: ${e.message}`) ?? String(refusal.message).split("; ");
    const length = reasons.find((r) => r.startsWith(`${limits.field}: must be at `));
    if (length) return length.includes("at least") ? tooShort(limits) : tooLong(limits);
    return `Not accepted: ${reasons.join("; ")}.`;
  }
  if (code === "plan_required") return "That needs the Pro plan. Remove it, or upgrade your plan.";
  if (code === "rate_limited") return "Too many requests at once: wait a moment and send again.";
  if (code === "forbidden") return "Your role on this project does not allow that.";
  return String(refusal.message).replace(ISO_TIME, (iso) => formatTime(iso));
}

function codeOf(status, problem) {
  const type = String(problem?.type ?? "").split("/").pop();
  if (status === 429) return type === "out-of-credits" ? "out_of_credits" : "rate_limited";
  if (status === 400 || status === 422) return "invalid_input";
  if (status === 403) return type === "plan-required" ? "plan_required" : "forbidden";
  return null;
}

/**
 * The box: a label, the textarea, a line with the hint, the count and the caller's `actions`, the
 * out-of-credits note and the error line. `send` is the button that is disabled while the box is
 * busy or out of credits. Enter sends, Shift+Enter starts a new line. `submit()` is called only
 * with text that passes the length check.
 */
export function createPromptField({ id, label, placeholder, limits, hint, send, actions = [send], submit }) {
  const textarea = h("textarea", {
    id,
    rows: 3,
    placeholder,
    "aria-describedby": `${id}-hint ${id}-credits ${id}-error`,
  });
  const count = h("span", { class: "meta count", "aria-hidden": "true" });
  const credits = h("p", { id: `${id}-credits`, class: "credit-note", role: "status" });
  const error = h("p", { id: `${id}-error`, class: "error", role: "alert" });
  const element = h(
    "div",
    { class: "prompt-field stack tight" },
    h("label", { for: id }, label),
    textarea,
    h("div", { class: "row between wrap" }, h("span", { id: `${id}-hint`, class: "hint" }, hint), count, ...actions),
    credits,
    error,
  );
  let outOfCredits = false;
  let busy = false;

  function showError(text, code) {
    error.textContent = text;
    if (code) error.dataset.code = code;
    else delete error.dataset.code;
  }

  function updateCount() {
    const length = Array.from(textarea.value).length;
    count.textContent = `${length.toLocaleString()} / ${limits.max.toLocaleString()}`;
    count.classList.toggle("over", length > limits.max);
  }

  function updateSend() {
    send.disabled = busy || outOfCredits;
  }

  /** `usage` from /api/usage or /ws/me; `applies`: the prompt spends this user's credits. */
  function setCredits(usage, applies) {
    outOfCredits = Boolean(applies && usage && usage.creditsRemaining === 0);
    credits.textContent = outOfCredits ? outOfCreditsText(usage.resetsAt) : "";
    credits.dataset.outOfCredits = String(outOfCredits);
    updateSend();
  }

  /** While a prompt waits for its answer: Send stays disabled, the box says it is busy. */
  function setBusy(next) {
    busy = next;
    if (busy) element.setAttribute("aria-busy", "true");
    else element.removeAttribute("aria-busy");
    updateSend();
  }

  function trySubmit() {
    if (busy || outOfCredits) return;
    const problem = lengthProblem(textarea.value, limits);
    if (problem) {
      showError(problem, "invalid_input");
      textarea.focus();
      return;
    }
    showError("");
    submit(textarea.value);
  }

  function clear() {
    textarea.value = "";
    updateCount();
  }

  textarea.addEventListener("input", () => {
    updateCount();
    if (error.textContent) showError("");
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      trySubmit();
    }
  });
  updateCount();

  return {
    element,
    textarea,
    showError,
    refused: (refusal) => showError(describeRefusal(refusal, limits), refusal.code ?? codeOf(refusal.status, refusal.problem)),
    setCredits,
    setBusy,
    trySubmit,
    clear,
    set value(text) {
      textarea.value = text;
      updateCount();
    },
  };
}
