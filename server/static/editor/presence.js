// Presence: an avatar for every tab watching the project, named on hover and for screen readers,
// this tab and the user's others marked.

import { avatar, displayName } from "./avatars.js";
import { formatTime, h, replaceChildren } from "./dom.js";

/**
 * view: the project's state, whose `presence` (by client id) and `clientId` this shows;
 * roster: names and pictures by user id (it has learnt those the clients carry).
 */
export function createPresence(view, session, roster) {
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
        const person = roster.person(client.userId);
        const who =
          client.userId === session.userId ? (self ? "You (this tab)" : "You (another tab)") : displayName(person);
        const label = `${who}, watching since ${formatTime(client.joinedAt)}`;
        const face = avatar(person, label, self ? "self" : "");
        face.dataset.clientId = client.clientId;
        return face;
      }),
      h("span", { class: "meta", "aria-hidden": "true" }, others ? `${others + 1} watching` : "only you"),
    );
  }

  return { element, render };
}
