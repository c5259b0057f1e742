// The project page's Share dialog: invite links for those who may invite, and the people with
// access for everyone. A viewer opens the same dialog as "Members", to see who can change the
// project, or to leave it.

import { h } from "./dom.js";
import { createInvites } from "./invite.js";
import { createMemberList } from "./members.js";
import { canInvite } from "./roles.js";

/** view: the project's state (`project` for the title, `role` for what the dialog offers). */
export function createShare(view, roster, session, api, leave) {
  const invites = createInvites(view, api);
  const members = createMemberList(view, roster, session, api, leave);
  const button = h("button", { type: "button", id: "share", "aria-haspopup": "dialog", onclick: open }, "Share");
  const title = h("h2", { id: "share-title" }, "Share");
  const close = h("button", { type: "button", class: "quiet", onclick: () => dialog.close() }, "Close");
  const dialog = h(
    "dialog",
    { id: "share-dialog", class: "share-dialog", "aria-labelledby": "share-title" },
    h("div", { class: "stack" }, h("div", { class: "row between" }, title, close), invites.element, members.element),
  );
  dialog.addEventListener("close", () => button.focus());

  function open() {
    render();
    if (canInvite(view.role)) invites.open();
    dialog.showModal();
  }

  /** The members, names or the user's own role changed: what the dialog and its button offer follows. */
  function render() {
    const inviting = canInvite(view.role);
    const name = view.project?.name ?? "this project";
    button.textContent = inviting ? "Share" : "Members";
    title.textContent = inviting ? `Share ${name}` : `People with access to ${name}`;
    invites.element.hidden = !inviting;
    members.render();
  }

  /** Someone joined with a link: its count of uses went up. */
  function invitationsChanged() {
    if (dialog.open && canInvite(view.role)) invites.load();
  }

  return { button, dialog, render, invitationsChanged };
}
