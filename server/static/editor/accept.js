// The page an invite link opens (`/invite/{token}`): once signed in, the person accepts, and goes
// to the project with the token gone from the address bar.

import { ApiError } from "./api.js";
import { h, replaceChildren } from "./dom.js";

const NOT_VALID = "This invite link is not valid any more (it may have been revoked, used up or expired).";

/** ctx: {api, main(), openProjectPage(id)}; token: the link's secret. Returns the page: {kind, stop()}. */
export function openAccept(ctx, token) {
  const { api, main } = ctx;
  const error = h("p", { class: "error", role: "alert", id: "accept-error" });
  const accept = h("button", { type: "button", class: "primary", onclick: acceptInvitation }, "Accept");
  let stopped = false;

  async function acceptInvitation() {
    error.textContent = "";
    accept.disabled = true;
    try {
      const accepted = await api.post("/api/invitations/accept", { token });
      if (!stopped) ctx.openProjectPage(accepted.projectId);
    } catch (failure) {
      error.textContent = failure instanceof ApiError && failure.status === 404 ? NOT_VALID : failure.message;
      accept.disabled = false;
    }
  }

  replaceChildren(
    main(),
    h(
      "section",
      { class: "narrow stack", "aria-labelledby": "accept-title" },
      h("h1", { id: "accept-title" }, "You were invited to a project"),
      h("p", {}, "Accept to add it to your projects, with the role the link gives: viewer or editor."),
      h("div", { class: "row" }, accept, h("a", { href: "/#/" }, "Not now")),
      error,
    ),
  );
  accept.focus();
  return {
    kind: "accept",
    stop() {
      stopped = true;
    },
  };
}
