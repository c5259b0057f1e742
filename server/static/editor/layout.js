// A project page's layout: the head row, then the workspace's three panes side by side (the
// conversation, the code or the version history in its place, the preview). Below 700 px the
// panes take turns behind Chat / Code / Preview tabs, so nothing sits a screen's height away.

import { h, replaceChildren } from "./dom.js";

const NARROW = "(max-width: 699px)"; // as in style.css
const TABS = [
  ["chat", "Chat"],
  ["code", "Code"],
  ["preview", "Preview"],
];

/** parts: the page's parts (project.js). Returns {show(tab), historyToggled(open), stop()}. */
export function layOut(root, view, parts) {
  const { title, connection, presence, share, imports, conversation, stage, prompt, code, preview, history } = parts;
  const chat = h(
    "section",
    { id: "chat-pane", class: "pane chat", "aria-labelledby": "chat-title", dataset: { slot: "chat" } },
    h("h2", { id: "chat-title", class: "visually-hidden" }, "Conversation"),
    conversation.element,
    stage.element,
    prompt.element,
  );
  code.element.id = "code-pane";
  code.element.dataset.slot = "code";
  history.panel.dataset.slot = "code";
  preview.element.dataset.slot = "preview";
  const panes = { chat, code: code.element, preview: preview.element };
  const tabs = TABS.map(([name, label]) =>
    h(
      "button",
      { type: "button", role: "tab", id: `tab-${name}`, dataset: { tab: name }, onclick: () => show(name) },
      label,
    ),
  );
  const tabList = h("div", { class: "pane-tabs", role: "tablist", "aria-label": "Panes" }, tabs);
  const workspace = h("div", { class: "workspace" }, tabList, chat, code.element, history.panel, preview.element);
  replaceChildren(
    root,
    h(
      "div",
      { class: "project-page", dataset: { projectId: view.id } },
      h(
        "div",
        { class: "project-head" },
        h("a", { href: "#/", class: "back" }, "← Projects"),
        title.element,
        h(
          "div",
          { class: "row wrap end" },
          connection,
          presence.element,
          share.button,
          imports.button,
          history.toggle,
          history.downloadButton,
        ),
      ),
      workspace,
      share.dialog,
      imports.dialog,
    ),
  );

  const narrow = window.matchMedia(NARROW);

  /** The tab on screen in a narrow window; a wide one shows every pane and no tabs. */
  function show(name) {
    workspace.dataset.tab = name;
    for (const tab of tabs) {
      const selected = tab.dataset.tab === name;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
    }
    renderRoles();
  }

  /** Tab roles only while the tabs are there: a wide window's panes are plain regions. */
  function renderRoles() {
    for (const tab of tabs) {
      const pane = tab.dataset.tab === "code" && !history.panel.hidden ? history.panel : panes[tab.dataset.tab];
      tab.setAttribute("aria-controls", pane.id);
      for (const candidate of tab.dataset.tab === "code" ? [code.element, history.panel] : [pane]) {
        if (narrow.matches) candidate.setAttribute("role", "tabpanel");
        else candidate.removeAttribute("role");
      }
    }
  }

  /** The history takes the code pane's place, so the preview stays in view beside it (and on a
   * phone it opens on the Code tab, where it is). */
  function historyToggled(open) {
    code.element.hidden = open;
    if (open) show("code");
    else renderRoles();
  }

  tabList.addEventListener("keydown", (event) => {
    const index = tabs.indexOf(document.activeElement);
    if (index < 0) return;
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const tab = tabs[(next + tabs.length) % tabs.length];
    show(tab.dataset.tab);
    tab.focus();
  });
  narrow.addEventListener("change", renderRoles);
  show("chat");

  return { show, historyToggled, stop: () => narrow.removeEventListener("change", renderRoles) };
}
