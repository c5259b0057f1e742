// Invite links, in the share dialog: make one with a role, copy it, and see the open ones with
// their uses and expiry, to revoke them. A link's token is shown once, when it is made (API.md).

import { formatTime, h, replaceChildren } from "./dom.js";
import { ROLE_LABELS } from "./roles.js";

const USES = [
  [1, "once"],
  [5, "5 times"],
  [25, "25 times"],
];

/** view: the project's state, whose `id` the links are for. */
export function createInvites(view, api) {
  const role = h(
    "select",
    { id: "invite-role" },
    ["VIEWER", "EDITOR"].map((value) => h("option", { value }, ROLE_LABELS[value])),
  );
  const uses = h("select", { id: "invite-uses" }, USES.map(([value, label]) => h("option", { value }, label)));
  const create = h("button", { type: "submit", class: "primary" }, "Create invite link");
  const link = h("input", { id: "invite-link", readonly: true, spellcheck: "false" });
  const copyStatus = h("span", { class: "meta", role: "status" });
  const linkBox = h(
    "div",
    { class: "stack tight", hidden: true },
    h("label", { for: "invite-link" }, "Invite link"),
    h(
      "div",
      { class: "row" },
      link,
      h("button", { type: "button", onclick: copy }, "Copy"),
    ),
    h("span", { class: "hint" }, "Anyone with this link can join until it is used up, expires or is revoked."),
    copyStatus,
  );
  const list = h("ul", { id: "invitations", class: "people" });
  const error = h("p", { class: "error", role: "alert" });
  const element = h(
    "section",
    { class: "stack", "aria-labelledby": "invites-title" },
    h("h3", { id: "invites-title" }, "Invite people"),
    h(
      "form",
      { class: "row wrap", onsubmit: createLink },
      h("label", { for: "invite-role" }, "Role"),
      role,
      h("label", { for: "invite-uses" }, "Can be used"),
      uses,
      create,
    ),
    linkBox,
    h("h4", {}, "Open invite links"),
    list,
    error,
  );

  async function createLink(event) {
    event.preventDefault();
    error.textContent = "";
    create.disabled = true;
    try {
      const body = { role: role.value, maxUses: Number(uses.value) };
      const created = await api.post(`/api/projects/${view.id}/invitations`, body);
      link.value = `${location.origin}/invite/${created.token}`;
      copyStatus.textContent = "";
      linkBox.hidden = false;
      link.select();
      await load();
    } catch (failure) {
      error.textContent = failure.message;
    } finally {
      create.disabled = false;
    }
  }

  async function copy() {
    try {
      await navigator.clipboard.writeText(link.value);
      copyStatus.textContent = "Copied.";
    } catch {
      link.select(); // no clipboard access (an insecure origin, or refused): the person copies it
      copyStatus.textContent = "Copying was not allowed here: the link is selected, copy it with Ctrl+C.";
    }
  }

  async function load() {
    try {
      const page = await api.get(`/api/projects/${view.id}/invitations?limit=50`);
      renderList(page.items);
    } catch (failure) {
      error.textContent = failure.message;
    }
  }

  function renderList(items) {
    if (items.length === 0) return replaceChildren(list, h("li", { class: "empty" }, "No open invite links."));
    replaceChildren(
      list,
      items.map((invitation) => {
        const what = `${ROLE_LABELS[invitation.role]} link from ${formatTime(invitation.createdAt)}`;
        return h(
          "li",
          { dataset: { invitationId: invitation.id, role: invitation.role } },
          h(
            "div",
            { class: "stack tight grow" },
            h("strong", {}, ROLE_LABELS[invitation.role]),
            h(
              "span",
              { class: "meta" },
              `used ${invitation.uses} of ${invitation.maxUses} · expires ${formatTime(invitation.expiresAt)}`,
            ),
          ),
          h("button", { type: "button", "aria-label": `Revoke the ${what}`, onclick: () => revoke(invitation) }, "Revoke"),
        );
      }),
    );
  }

  async function revoke(invitation) {
    error.textContent = "";
    try {
      await api.delete(`/api/projects/${view.id}/invitations/${invitation.id}`);
      await load();
    } catch (failure) {
      error.textContent = failure.message;
    }
  }

  /** The dialog opens: no link from an earlier opening stays on screen, and the list is fresh. */
  function open() {
    linkBox.hidden = true;
    link.value = "";
    error.textContent = "";
    return load();
  }

  return { element, open, load };
}
