// The conversation: the project's messages in order, an assistant's text growing as its deltas
// stream in, what the runs say of each message (message.js draws one), and a scroll that follows
// the end while the reader is there.

import { displayName } from "./avatars.js";
import { h } from "./dom.js";
import { fillAuthor, fillBody, messageElement } from "./message.js";
import { attemptOf, currentRun, isActive, runOfMessage, wasInterrupted } from "./runs.js";

const OFFLINE_MODEL = "offline-builder"; // the offline provider's model (API.md, Models)

/**
 * view: the project's state, whose `messages` this keeps (and whose `runs` and `interrupted` it
 * reads); channel: asked to resume on a gap; roster: the names and pictures of the people who
 * wrote them; session: whose messages say "You".
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
    fillBody(li, message, notesOf(message));
  }

  /** What the runs and versions say of a message (see fillBody). */
  function notesOf(message) {
    const run = runOfMessage(view.runs, message);
    if (message.role === "USER") {
      const current = currentRun(view.runs);
      return { queued: run?.status === "PENDING" && isActive(current) && current.id !== run.id };
    }
    const metadata = message.fragment?.metadata ?? {};
    return {
      attempt: run && wasInterrupted(run, view.interrupted) ? attemptOf(run) : 0,
      stopped: run?.status === "CANCELLED",
      offline: metadata.offline === true || metadata.provider === "offline" || run?.model === OFFLINE_MODEL,
      restoredAt: restoredAt(message, metadata),
    };
  }

  /** A restore message's version time: undefined for other messages, null when not known here. */
  function restoredAt(message, metadata) {
    const from = metadata.restoredFrom;
    if (!from && !/^Restored “/.test(message.content)) return undefined;
    const source = view.messages.find((m) => m.fragment?.id === from);
    return source?.fragment.createdAt ?? view.versionTimes.get(from) ?? null;
  }

  /** The runs changed: the notes they put on messages follow. */
  function runsChanged() {
    keepingEnd(() => {
      for (const message of view.messages) {
        const li = list.querySelector(`[data-message-id="${message.id}"]`);
        if (li) fillBody(li, message, notesOf(message));
      }
    });
  }

  return {
    element: scroller,
    upsert,
    applyDelta,
    attachFragment,
    render,
    runsChanged,
    keepingEnd,
    scrollToEnd: () => scrollToEnd(scroller),
  };
}

function isNearBottom(element) {
  return element.scrollHeight - element.scrollTop - element.clientHeight < 80;
}

function scrollToEnd(element) {
  element.scrollTop = element.scrollHeight;
}
