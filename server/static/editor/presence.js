// Presence: an avatar for every tab watching the project, this one and the user's others marked.

import { formatTime, h, replaceChildren } from "./dom.js";

/** view: the project's state, whose `presence` (by client id) and `clientId` this shows. */
export function createPresence(view, session) {
  const element = h("div", { id: "presence", class: "presence", role: "group", "aria-label": "Who is watching" });

  function render() {
    element.dataset.selfId = view.clientId ?? "";
    const clients = [...view.presence.values()].sort((a, b) => a.joinedAt.localeCompare(b.joinedAt));
    const others = clients.filter((c) => c.clientId !== view.clientId).length;
    replaceChildren(
      element,
      h("span", { class: "visually-hidden" }, `${clients.length} watching: `),
      clients.map((client) => {
        const self = client.clientId === view.clientId;
        const who =
          client.userId === session.userId ? (self ? "You (this tab)" : "You (another tab)") : client.userId;
        return h(
          "span",
          { class: `avatar${self ? " self" : ""}`, title: `${who}, since ${formatTime(client.joinedAt)}`, dataset: { clientId: client.clientId } },
          h("span", { "aria-hidden": "true" }, initials(client.userId)),
          h("span", { class: "visually-hidden" }, `${who}. `),
        );
      }),
      h("span", { class: "meta", "aria-hidden": "true" }, others ? `${others + 1} watching` : "only you"),
    );
  }

  return { element, render };
}

function initials(userId) {
  const parts = userId.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return (parts.length > 1 ? parts[0][0] + parts[1][0] : userId.slice(0, 2)).toUpperCase();
}
