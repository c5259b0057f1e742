// The ForgeAI editor: sign-in, the person's own channel (me.js: their projects and credits, live),
// and routing between the project list (list.js), one project's live view (project.js) and the
// page of an invite link (accept.js). No build step: plain ES modules served by the server itself.

import { openAccept } from "./accept.js";
import { Api, ApiError } from "./api.js";
import { formatTime, h, replaceChildren } from "./dom.js";
import { openList } from "./list.js";
import { MeChannel } from "./me.js";
import { openProject } from "./project.js";

const TOKEN_KEY = "forge.token";
const SIGNED_OUT_KEY = "forge.signedOut";
const api = new Api(() => sessionEnded());
// `projects` and `usage` come from the person's own channel; `projects` is null until its hello.
const session = { userId: null, name: null, imageUrl: null, devAvailable: null, usage: null, projects: null };
let page = null; // the page on screen: {kind: "list" | "project" | "accept" | "signin", stop(), projectsChanged?(), usageChanged?()}
let me = null; // the person's own channel while signed in

const main = () => document.getElementById("main");

// ---------------------------------------------------------------- sign-in

async function start() {
  window.addEventListener("hashchange", () => {
    if (!session.userId) return;
    route();
    main().focus({ preventScroll: true }); // a keyboard user starts on the new page, not the old link
  });
  window.forgeEditor = { get page() { return page; } };
  await signIn();
}

async function signIn(notice) {
  const stored = localStorage.getItem(TOKEN_KEY);
  if (stored && (await useToken(stored))) return route();
  if (!sessionStorage.getItem(SIGNED_OUT_KEY) && (await devSignIn())) return route();
  showSignIn(notice);
}

async function useToken(token) {
  api.token = token;
  try {
    // Checks the token before any page uses it; the own channel keeps the credits current after.
    session.usage = await api.get("/api/usage", { quiet401: true });
  } catch (error) {
    api.token = null;
    if (error instanceof ApiError && error.status === 401) localStorage.removeItem(TOKEN_KEY);
    return false;
  }
  localStorage.setItem(TOKEN_KEY, token);
  sessionStorage.removeItem(SIGNED_OUT_KEY);
  const claims = claimsOf(token);
  session.userId = claims.sub ?? "unknown";
  session.name = claims.name ?? null; // when the identity provider puts them in its tokens
  session.imageUrl = claims.picture ?? claims.image_url ?? null;
  renderAccount();
  renderCredits();
  watchAccount(token);
  return true;
}

function watchAccount(token) {
  me?.stop();
  me = new MeChannel(token, {
    projects(list) {
      session.projects = list;
      page?.projectsChanged?.();
    },
    usage(usage) {
      session.usage = usage;
      renderCredits();
      page?.usageChanged?.();
    },
    unauthorized: sessionEnded,
  });
  me.start();
}

function stopWatchingAccount() {
  me?.stop();
  me = null;
  session.projects = null;
}

async function devSignIn() {
  try {
    const answer = await api.post("/api/dev/token", undefined, { quiet401: true });
    session.devAvailable = true;
    return useToken(answer.token);
  } catch {
    session.devAvailable = false; // Clerk is configured: tokens come from Clerk
    return false;
  }
}

function claimsOf(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)); // a name may be any UTF-8
  } catch {
    return {};
  }
}

function sessionEnded() {
  if (!session.userId) return; // a late answer to a request of a session already over
  stopWatchingAccount();
  localStorage.removeItem(TOKEN_KEY);
  api.token = null;
  session.userId = null;
  leavePage();
  signIn("Your session ended. Sign in again.");
}

function signOut() {
  stopWatchingAccount();
  localStorage.removeItem(TOKEN_KEY);
  sessionStorage.setItem(SIGNED_OUT_KEY, "1");
  api.token = null;
  session.userId = null;
  session.usage = null;
  leavePage();
  showSignIn("You are signed out.");
}

function showSignIn(notice) {
  leavePage();
  page = { kind: "signin", stop() {} };
  renderAccount();
  renderCredits();
  const error = h("p", { class: "error", role: "alert", id: "signin-error" });
  const token = h("textarea", { id: "token", rows: 4, required: true, spellcheck: "false", autocomplete: "off" });
  const form = h(
    "form",
    {
      class: "card stack",
      onsubmit: async (event) => {
        event.preventDefault();
        error.textContent = "";
        if (await useToken(token.value.trim())) route();
        else error.textContent = "That token was refused. Check that it is a current session token.";
      },
    },
    h("label", { for: "token" }, "Session token"),
    token,
    h("p", { class: "hint" }, "Paste a token from your sign-in provider, or one printed by `forge token USER_ID`."),
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Sign in")),
    error,
  );
  const dev =
    session.devAvailable !== false
      ? h(
          "p",
          {},
          h(
            "button",
            {
              type: "button",
              onclick: async () => {
                sessionStorage.removeItem(SIGNED_OUT_KEY);
                if (await devSignIn()) route();
                else error.textContent = "Development sign-in is not available on this server.";
              },
            },
            "Continue as the development user",
          ),
        )
      : null;
  replaceChildren(
    main(),
    h("section", { class: "narrow stack", "aria-labelledby": "signin-title" },
      h("h1", { id: "signin-title" }, "Sign in"),
      notice ? h("p", { class: "notice", role: "status" }, notice) : null,
      form,
      dev,
    ),
  );
}

function renderAccount() {
  const account = document.getElementById("account");
  if (!session.userId) return replaceChildren(account);
  replaceChildren(
    account,
    h("span", { class: "user", title: `Signed in as ${session.userId}` }, session.name ?? session.userId),
    h("button", { type: "button", class: "quiet", onclick: signOut }, "Sign out"),
  );
}

// ---------------------------------------------------------------- credits

function renderCredits() {
  const element = document.getElementById("credits");
  const usage = session.usage;
  // The line is a live region: redraw it only when it says something new.
  const key = JSON.stringify([session.userId, usage]);
  if (element.dataset.key === key) return;
  element.dataset.key = key;
  if (!usage || !session.userId) return replaceChildren(element);
  element.dataset.creditsRemaining = usage.creditsRemaining ?? "unlimited";
  if (usage.creditsRemaining === null) {
    return replaceChildren(element, `${usage.plan} plan: unlimited credits`);
  }
  const resets = usage.resetsAt ? ` · next back at ${formatTime(usage.resetsAt)}` : "";
  replaceChildren(
    element,
    h("strong", {}, `${usage.creditsRemaining} of ${usage.creditsPerDay}`),
    ` credits left (${usage.plan.toLowerCase()} plan)${resets}`,
  );
}

// ---------------------------------------------------------------- routing

// What the pages need from the app, passed in rather than imported back (no import cycles).
const ctx = { api, session, sessionEnded, showList, openProjectPage, main };

function route() {
  leavePage();
  const invite = /^\/invite\/([^/]+)$/.exec(location.pathname);
  if (invite) {
    page = openAccept(ctx, invite[1]); // URL-safe: the server makes tokens that need no decoding
    return;
  }
  const match = /^#\/projects\/([0-9a-f-]{36})$/.exec(location.hash);
  page = match ? openProject(ctx, match[1]) : openList(ctx);
}

/** Replaces the address rather than adding one: an invite link's token leaves the bar and history. */
function openProjectPage(projectId) {
  history.replaceState(null, "", `/#/projects/${projectId}`);
  route();
}

function showList(notice) {
  leavePage();
  history.replaceState(null, "", "/#/");
  page = openList(ctx, notice);
}

function leavePage() {
  if (page) page.stop();
  page = null;
}

start();
