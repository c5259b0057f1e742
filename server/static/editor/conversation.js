// The conversation: the project's messages in order, an assistant's text growing as its deltas
// stream in, and a scroll that follows the end while the reader is there.

import { formatTime, h, replaceChildren } from "./dom.js";

/** view: the project's state, whose `messages` this keeps; channel: asked to resume on a gap. */
export function createConversation(view, channel) {
  const empty = h("p", { class: "empty" }, "No messages yet.");
  const list = h("ol", { id: "messages", class: "messages", "aria-label": "Conversation" });
  const scroller = h("div", { class: "chat-scroll", tabindex: "0", "aria-label": "Conversation history" }, empty, list);

  function upsert(message) {
    const index = view.messages.findIndex((m) => m.id === message.id);
    if (index >= 0) view.messages[index] = message;
    else view.messages.push(message);
    if (index >= 0) renderMessage(message);
    else render();
  }

  function applyDelta(delta) {
    const message = view.messages.find((m) => m.id === delta.messageId);
    if (!message) return;
    // `offset` is the content's length before `text`, in Unicode code points (the server counts
    // them, not JavaScript's UTF-16 units, which an emoji takes two of): skip what this tab has.
    const have = Array.from(message.content);
    if (delta.offset > have.length) {
      channel.resume(); // text is missing between: fetch it again rather than show a hole
      return;
    }
    if (delta.offset + Array.from(delta.text).length <= have.length) return;
    message.content = have.slice(0, delta.offset).join("") + delta.text;
    renderMessage(message);
  }

  function attachFragment(fragment) {
    const message = view.messages.find((m) => m.id === fragment.messageId);
    if (message) {
      message.fragment = fragment;
      renderMessage(message);
    }
  }

  function render() {
    keepingEnd(() => {
      const existing = new Map([...list.children].map((li) => [li.dataset.messageId, li]));
      let previous = null;
      for (const message of view.messages) {
        const li = existing.get(message.id) ?? messageElement(message);
        existing.delete(message.id);
        fillMessage(li, message);
        const expected = previous ? previous.nextSibling : list.firstChild;
        if (li !== expected) list.insertBefore(li, expected);
        previous = li;
      }
      for (const stale of existing.values()) stale.remove();
      empty.hidden = view.messages.length > 0;
    });
  }

  function renderMessage(message) {
    const li = list.querySelector(`[data-message-id="${message.id}"]`);
    if (!li) return render();
    keepingEnd(() => fillMessage(li, message));
  }

  /** Runs `draw`, then keeps the end of the conversation in view if it was before. */
  function keepingEnd(draw) {
    const stick = isNearBottom(scroller);
    draw();
    if (stick) scrollToEnd(scroller);
  }

  return { element: scroller, upsert, applyDelta, attachFragment, render, keepingEnd, scrollToEnd: () => scrollToEnd(scroller) };
}

function messageElement(message) {
  return h(
    "li",
    { class: "message", dataset: { messageId: message.id, role: message.role } },
    h(
      "div",
      { class: "message-head" },
      h("span", { class: "who" }, message.role === "USER" ? "You" : "Assistant"),
      h("time", { datetime: message.createdAt }, formatTime(message.createdAt)),
    ),
    h("div", { class: "message-text" }),
    h("div", { class: "message-extra" }),
  );
}

function fillMessage(li, message) {
  li.dataset.status = message.status;
  li.dataset.type = message.type;
  const text = li.querySelector(".message-text");
  if (text.textContent !== message.content) text.textContent = message.content;
  const extra = li.querySelector(".message-extra");
  const streaming = message.status === "STREAMING" || message.status === "PENDING";
  const key = `${streaming}|${message.fragment?.id ?? ""}|${message.content === ""}`;
  if (extra.dataset.key === key) return;
  extra.dataset.key = key;
  replaceChildren(
    extra,
    streaming && message.content === "" ? h("span", { class: "thinking" }, "Thinking…") : null,
    streaming ? h("span", { class: "caret", "aria-hidden": "true" }) : null,
    message.fragment
      ? h(
          "div",
          { class: "fragment-card" },
          h("strong", {}, message.fragment.title),
          h("span", { class: "meta" }, ` · ${message.fragment.fileCount ?? Object.keys(message.fragment.files).length} files`),
        )
      : null,
  );
}

function isNearBottom(element) {
  return element.scrollHeight - element.scrollTop - element.clientHeight < 80;
}

function scrollToEnd(element) {
  element.scrollTop = element.scrollHeight;
}
