// The conversation: the project's messages in order, an assistant's text growing as its deltas
// stream in, and a scroll that follows the end while the reader is there.

import { avatar, displayName } from "./avatars.js";
import { formatTime, h, replaceChildren } from "./dom.js";

/**
 * view: the project's state, whose `messages` this keeps; channel: asked to resume on a gap;
 * roster: the names and pictures of the people who wrote them; session: whose messages say "You".
 */
export function createConversation(view, channel, roster, session) {
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

  /** Who wrote a person's message: a message from before sharing names nobody, so its owner. */
  function authorOf(message) {
    const userId = message.userId ?? view.project?.userId;
    if (!userId) return null;
    const person = roster.person(userId);
    return { person, label: userId === session.userId ? "You" : displayName(person) };
  }

  function fillMessage(li, message) {
    if (message.role === "USER") fillAuthor(li.querySelector(".who"), authorOf(message));
    fillBody(li, message);
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
      h("span", { class: "who" }, message.role === "USER" ? "" : "Assistant"),
      h("time", { datetime: message.createdAt }, formatTime(message.createdAt)),
    ),
    h("div", { class: "message-text" }),
    h("div", { class: "message-extra" }),
  );
}

/** The author's avatar and name, redrawn only when what is known of them changed. */
function fillAuthor(who, author) {
  const key = JSON.stringify(author);
  if (who.dataset.key === key) return;
  who.dataset.key = key;
  if (!author) return replaceChildren(who, "Someone");
  replaceChildren(who, avatar(author.person, null, "small"), h("span", { class: "author" }, author.label));
}

function fillBody(li, message) {
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
