// The people with access, in the share dialog: each member with their avatar and role. The owner
// changes a member's role or removes them; a member may leave. The list follows the channel.

import { avatar, displayName } from "./avatars.js";
import { h, replaceChildren } from "./dom.js";
import { ROLE_LABELS, canManageMembers } from "./roles.js";

/**
 * view: the project's state (`id`, and `role`, the user's own); roster: the members;
 * leave(): the user leaves the project (the page goes elsewhere when it is done).
 */
export function createMemberList(view, roster, session, api, leave) {
  const list = h("ul", { id: "members", class: "people" });
  const error = h("p", { class: "error", role: "alert" });
  const element = h(
    "section",
    { class: "stack", "aria-labelledby": "members-title" },
    h("h3", { id: "members-title" }, "People with access"),
    list,
    error,
  );

  function render() {
    // A presence or member change redraws the list: the control in use keeps the focus.
    const focused = list.contains(document.activeElement) ? document.activeElement.dataset.focusKey : null;
    replaceChildren(list, roster.list().map(item));
    if (focused) list.querySelector(`[data-focus-key="${CSS.escape(focused)}"]`)?.focus();
  }

  function item(member) {
    const person = roster.person(member.userId);
    const self = member.userId === session.userId;
    const name = displayName(person);
    const managed = member.role !== "OWNER" && canManageMembers(view.role);
    return h(
      "li",
      { dataset: { userId: member.userId, role: member.role } },
      avatar(person, null),
      h(
        "div",
        { class: "stack tight grow" },
        h("strong", {}, self ? `${name} (you)` : name),
        managed ? null : h("span", { class: "meta" }, ROLE_LABELS[member.role]), // else the selector says it
      ),
      managed ? managing(member, name) : null,
      self && member.role !== "OWNER" ? leaveButton() : null,
    );
  }

  /** The owner's controls for another member: their role, and removing them. */
  function managing(member, name) {
    const id = `member-role-${member.userId}`;
    return h(
      "div",
      { class: "row" },
      h("label", { for: id, class: "visually-hidden" }, `Role of ${name}`),
      h(
        "select",
        {
          id,
          dataset: { focusKey: `role ${member.userId}` },
          onchange: (event) => changeRole(member, event.target.value),
        },
        ["EDITOR", "VIEWER"].map((role) =>
          h("option", { value: role, selected: role === member.role }, ROLE_LABELS[role]),
        ),
      ),
      h(
        "button",
        {
          type: "button",
          "aria-label": `Remove ${name}`,
          dataset: { focusKey: `remove ${member.userId}` },
          onclick: () => remove(member),
        },
        "Remove",
      ),
    );
  }

  function leaveButton() {
    return h("button", { type: "button", dataset: { focusKey: "leave" }, onclick: leaveProject }, "Leave project");
  }

  // The channel's `member.updated` or `member.removed` redraws the list once the change is made.
  async function changeRole(member, role) {
    await attempt(() => api.patch(`/api/projects/${view.id}/members/${encodeURIComponent(member.userId)}`, { role }));
  }

  async function remove(member) {
    await attempt(() => api.delete(`/api/projects/${view.id}/members/${encodeURIComponent(member.userId)}`));
  }

  async function leaveProject() {
    await attempt(leave);
  }

  async function attempt(action) {
    error.textContent = "";
    try {
      await action();
    } catch (failure) {
      error.textContent = failure.message;
      render(); // a refused role change: the selector shows the role the member still has
    }
  }

  return { element, render };
}
