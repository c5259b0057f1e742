// One project's live view: the conversation, the run's stage, files, preview, history and presence,
// drawn from the channel's `hello` and kept current by its events (API.md).

import { ProjectChannel } from "./channel.js";
import { formatTime, h, replaceChildren } from "./dom.js";
import { buildTree, defaultPath } from "./files.js";
import { labelOf } from "./list.js";

const PROMPT_ANSWER_TIMEOUT_MS = 10_000;
const CONNECTION_LABELS = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  resynced: "Live (resynced)",
};

/** ctx: {api, session, refreshUsage, sessionEnded, showList(notice), main()}. */
export function openProject(ctx, projectId) {
  const { api, session, refreshUsage, sessionEnded, main } = ctx;
  const view = {
    id: projectId,
    clientId: null,
    project: null,
    messages: [],
    fragment: null,
    runs: new Map(),
    presence: new Map(),
    liveFiles: new Map(),
    selectedPath: null,
    pickedByHand: false,
    pending: null,
    historyOpen: false,
    shownPreview: null,
  };
  let refs = 0;
  const els = buildProjectDom(view, main());

  const channel = new ProjectChannel(projectId, api.token, {
    hello(frame) {
      view.clientId = frame.clientId;
      view.project = frame.project;
      view.messages = frame.messages;
      view.fragment = frame.fragment;
      view.runs = new Map(frame.runs.map((run) => [run.id, run]));
      view.presence = new Map(frame.presence.clients.map((c) => [c.clientId, c]));
      view.liveFiles = new Map();
      renderAll();
    },
    event: applyEvent,
    frame(frame) {
      if (frame.type === "presence.joined") {
        view.presence.set(frame.client.clientId, frame.client);
        renderPresence();
      } else if (frame.type === "presence.left") {
        view.presence.delete(frame.clientId);
        renderPresence();
      } else if (frame.type === "error") {
        promptRefused(frame);
      }
    },
    state: renderConnection,
    unauthorized: sessionEnded,
    gone() {
      ctx.showList("That project was deleted or is not yours.");
    },
  });

  function applyEvent(frame) {
    switch (frame.type) {
      case "message.created":
        upsertMessage(frame.message);
        if (frame.message.role === "USER") {
          refreshUsage();
          if (view.pending && view.pending.value.trim() === frame.message.content.trim()) promptAccepted();
        } else {
          view.liveFiles = new Map();
          view.pickedByHand = false;
          renderFiles();
        }
        break;
      case "message.delta":
        applyDelta(frame);
        break;
      case "message.completed":
      case "message.updated":
        upsertMessage(frame.message);
        break;
      case "file.written":
        view.liveFiles.set(frame.path, frame.content);
        if (!view.pickedByHand) view.selectedPath = frame.path;
        renderFiles();
        break;
      case "fragment.updated":
        view.fragment = frame.fragment;
        view.liveFiles = new Map();
        if (!view.pickedByHand) view.selectedPath = defaultPath(Object.keys(frame.fragment.files));
        attachFragment(frame.fragment);
        renderFiles();
        renderPreview();
        if (view.historyOpen) loadHistory();
        break;
      case "run.updated":
        view.runs.set(frame.run.id, frame.run);
        renderStage();
        if (frame.run.status === "FAILED" || frame.run.status === "COMPLETED") refreshUsage();
        break;
      case "project.updated":
      case "project.deleted":
        view.project = frame.project;
        renderTitle();
        break;
      default:
        break; // draft.updated and future events: nothing on screen depends on them
    }
  }

  function upsertMessage(message) {
    const index = view.messages.findIndex((m) => m.id === message.id);
    if (index >= 0) view.messages[index] = message;
    else view.messages.push(message);
    if (index >= 0) renderMessage(message);
    else renderMessages();
  }

  function applyDelta(delta) {
    const message = view.messages.find((m) => m.id === delta.messageId);
    if (!message) return;
    // `offset` is the content's length before `text` (API.md): skip what this tab already has.
    const have = message.content.length;
    if (delta.offset > have) {
      channel.resume(); // text is missing between: fetch it again rather than show a hole
      return;
    }
    if (delta.offset + delta.text.length <= have) return;
    message.content = message.content.slice(0, delta.offset) + delta.text;
    renderMessage(message);
  }

  function attachFragment(fragment) {
    const message = view.messages.find((m) => m.id === fragment.messageId);
    if (message) {
      message.fragment = fragment;
      renderMessage(message);
    }
  }

  // ---- prompt

  function sendPrompt(event) {
    event.preventDefault();
    if (view.pending) return;
    showPromptError("");
    const value = els.prompt.value;
    const ref = `prompt-${++refs}`;
    if (!channel.send({ type: "prompt", value, ref })) {
      showPromptError("Not connected right now; send again when the connection is live.");
      return;
    }
    view.pending = { ref, value, timer: setTimeout(promptSettled, PROMPT_ANSWER_TIMEOUT_MS) };
    els.send.disabled = true;
    els.promptForm.setAttribute("aria-busy", "true");
  }

  function promptAccepted() {
    els.prompt.value = "";
    updateCount();
    promptSettled();
  }

  function promptRefused(frame) {
    if (view.pending && frame.ref && frame.ref !== view.pending.ref) return;
    showPromptError(describeRefusal(frame), frame.code);
    promptSettled();
  }

  function promptSettled() {
    if (view.pending) clearTimeout(view.pending.timer);
    view.pending = null;
    els.send.disabled = false;
    els.promptForm.removeAttribute("aria-busy");
  }

  function showPromptError(text, code) {
    els.promptError.textContent = text;
    if (code) els.promptError.dataset.code = code;
    else delete els.promptError.dataset.code;
  }

  function updateCount() {
    els.count.textContent = `${els.prompt.value.length.toLocaleString()} / 10,000`;
  }

  els.promptForm.addEventListener("submit", sendPrompt);
  els.prompt.addEventListener("input", () => {
    updateCount();
    if (els.promptError.textContent) showPromptError("");
  });
  els.prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      els.promptForm.requestSubmit();
    }
  });

  // ---- rendering

  function renderAll() {
    renderTitle();
    renderPresence();
    renderMessages();
    renderStage();
    renderFiles();
    renderPreview();
    scrollToEnd(els.chatScroll); // a fresh snapshot opens on the latest message
  }

  function renderTitle() {
    if (!view.project) return;
    document.title = `${view.project.name} · ForgeAI`;
    if (!els.title.querySelector("form")) {
      replaceChildren(
        els.title,
        h("h1", { id: "project-name" }, view.project.name),
        h("span", { class: "meta" }, labelOf(view.project.framework)),
        h("button", { type: "button", class: "quiet", onclick: startRename }, "Rename"),
      );
    }
  }

  function startRename() {
    const input = h("input", { id: "project-rename", value: view.project.name, maxlength: 100 });
    const error = h("span", { class: "error", role: "alert" });
    const done = () => {
      replaceChildren(els.title);
      renderTitle();
      els.title.querySelector("button")?.focus();
    };
    replaceChildren(
      els.title,
      h(
        "form",
        {
          class: "row",
          onsubmit: async (event) => {
            event.preventDefault();
            try {
              view.project = await api.patch(`/api/projects/${view.id}`, { name: input.value });
              done();
            } catch (failure) {
              error.textContent = failure.message;
            }
          },
          onkeydown: (event) => event.key === "Escape" && done(),
        },
        h("label", { for: "project-rename", class: "visually-hidden" }, "Project name"),
        input,
        h("button", { type: "submit", class: "primary" }, "Save"),
        h("button", { type: "button", onclick: done }, "Cancel"),
        error,
      ),
    );
    input.select();
  }

  function renderPresence() {
    els.presence.dataset.selfId = view.clientId ?? "";
    const clients = [...view.presence.values()].sort((a, b) => a.joinedAt.localeCompare(b.joinedAt));
    const others = clients.filter((c) => c.clientId !== view.clientId).length;
    replaceChildren(
      els.presence,
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

  function renderMessages() {
    const list = els.messages;
    const stick = isNearBottom(els.chatScroll);
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
    els.empty.hidden = view.messages.length > 0;
    if (stick) scrollToEnd(els.chatScroll);
  }

  function renderMessage(message) {
    const li = els.messages.querySelector(`[data-message-id="${message.id}"]`);
    if (!li) return renderMessages();
    const stick = isNearBottom(els.chatScroll);
    fillMessage(li, message);
    if (stick) scrollToEnd(els.chatScroll);
  }

  function messageElement(message) {
    return h(
      "li",
      { class: "message", dataset: { messageId: message.id, role: message.role } },
      h(
        "div",
        { class: "message-head" },
        h("span", { class: "who" }, message.role === "USER" ? "You" : "Assistant"),
        h("time", { datetime: message.createdAt }, formatTime(message.createdAt)),
      ),
      h("div", { class: "message-text" }),
      h("div", { class: "message-extra" }),
    );
  }

  function fillMessage(li, message) {
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
            h("span", { class: "meta" }, ` · ${Object.keys(message.fragment.files).length} files`),
          )
        : null,
    );
  }

  function renderStage() {
    // The stage line takes room from the conversation: keep its end in view if it was.
    const stick = isNearBottom(els.chatScroll);
    fillStage();
    if (stick) scrollToEnd(els.chatScroll);
  }

  function fillStage() {
    const runs = [...view.runs.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const run = runs[runs.length - 1];
    if (!run) {
      els.stage.dataset.status = "";
      return replaceChildren(els.stage);
    }
    els.stage.dataset.status = run.status;
    const text = {
      PENDING: "Queued: waiting for a worker…",
      RUNNING: run.stage || "Working…",
      COMPLETED: "Run finished",
      FAILED: `Run failed: ${run.error || "no reason given"}`,
    }[run.status] ?? run.status;
    replaceChildren(
      els.stage,
      run.status === "RUNNING" || run.status === "PENDING" ? h("span", { class: "spinner", "aria-hidden": "true" }) : null,
      text,
    );
  }

  function currentFiles() {
    const files = new Map(Object.entries(view.fragment?.files ?? {}));
    for (const [path, content] of view.liveFiles) files.set(path, content);
    return files;
  }

  function renderFiles() {
    const files = currentFiles();
    const paths = [...files.keys()];
    if (!files.has(view.selectedPath)) view.selectedPath = defaultPath(paths);
    els.fileCount.textContent = paths.length ? `(${paths.length})` : "";
    if (paths.length === 0) {
      replaceChildren(els.tree, h("p", { class: "empty" }, "Files appear here as the assistant writes them."));
    } else {
      const focused = document.activeElement?.dataset?.path;
      replaceChildren(els.tree, treeList(buildTree(paths)));
      if (focused) els.tree.querySelector(`[data-path="${CSS.escape(focused)}"]`)?.focus();
    }
    els.codePath.textContent = view.selectedPath ?? "No file selected";
    const content = view.selectedPath ? files.get(view.selectedPath) : "";
    if (els.code.textContent !== content) els.code.textContent = content;
  }

  function treeList(node) {
    return h(
      "ul",
      { class: "tree" },
      node.folders.map((folder) =>
        h("li", { class: "folder" }, h("span", { class: "folder-name" }, `${folder.name}/`), treeList(folder)),
      ),
      node.files.map((file) =>
        h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              class: "file",
              dataset: { path: file.path },
              "aria-current": file.path === view.selectedPath ? "true" : null,
              onclick: () => {
                view.selectedPath = file.path;
                view.pickedByHand = true;
                renderFiles();
              },
            },
            file.name,
            view.liveFiles.has(file.path) ? h("span", { class: "written", title: "written in this run" }, " •") : null,
          ),
        ),
      ),
    );
  }

  function renderPreview() {
    els.download.disabled = !view.fragment;
    const url = view.fragment?.sandboxUrl ?? null;
    const usable = url && /^https?:\/\//.test(url);
    const key = usable ? `${view.fragment.id}|${url}` : null;
    if (key === view.shownPreview) return;
    view.shownPreview = key;
    if (!usable) {
      els.previewOpen.hidden = true;
      els.previewReload.hidden = true;
      return replaceChildren(
        els.previewBox,
        h(
          "p",
          { class: "empty" },
          url ? "This fragment runs in the browser's WebContainer; there is no preview URL." : "The preview appears when the first run finishes.",
        ),
      );
    }
    els.previewOpen.href = url;
    els.previewOpen.hidden = false;
    els.previewReload.hidden = false;
    // The preview is the model's code: sandboxed here as well as by the server's own policy.
    const frame = h("iframe", {
      id: "preview-frame",
      title: `Preview of ${view.fragment.title}`,
      src: url,
      sandbox: "allow-scripts allow-forms allow-modals allow-popups",
      referrerpolicy: "no-referrer",
    });
    replaceChildren(els.previewBox, frame);
  }

  function renderConnection(state) {
    els.connection.dataset.state = state;
    els.connection.textContent = CONNECTION_LABELS[state] ?? state;
  }

  // ---- history and download

  async function loadHistory() {
    try {
      const pageOf = await api.get(`/api/projects/${view.id}/fragments?limit=50`);
      renderHistory(pageOf.items);
    } catch (error) {
      replaceChildren(els.historyList, h("li", { class: "error" }, error.message));
    }
  }

  function renderHistory(items) {
    if (items.length === 0) {
      return replaceChildren(els.historyList, h("li", { class: "empty" }, "No fragments yet."));
    }
    replaceChildren(
      els.historyList,
      items.map((fragment) => {
        const current = fragment.id === view.fragment?.id;
        return h(
          "li",
          { dataset: { fragmentId: fragment.id } },
          h(
            "div",
            { class: "stack tight" },
            h("strong", {}, fragment.title),
            h(
              "span",
              { class: "meta" },
              `${formatTime(fragment.createdAt)} · ${Object.keys(fragment.files).length} files${current ? " · current" : ""}`,
            ),
          ),
          h(
            "div",
            { class: "row" },
            h(
              "button",
              {
                type: "button",
                disabled: current,
                "aria-label": `Restore ${fragment.title} from ${formatTime(fragment.createdAt)}`,
                onclick: async (event) => {
                  event.target.disabled = true;
                  try {
                    await api.post(`/api/projects/${view.id}/fragments/${fragment.id}/restore`);
                  } catch (error) {
                    els.historyError.textContent = error.message;
                    event.target.disabled = false;
                  }
                },
              },
              "Restore",
            ),
            h(
              "button",
              {
                type: "button",
                "aria-label": `Download ${fragment.title} from ${formatTime(fragment.createdAt)} as a zip`,
                onclick: () => download(`/api/projects/${view.id}/fragments/${fragment.id}/download`),
              },
              "Zip",
            ),
          ),
        );
      }),
    );
  }

  function toggleHistory(open = !view.historyOpen) {
    view.historyOpen = open;
    els.history.hidden = !open;
    els.historyToggle.setAttribute("aria-expanded", String(open));
    if (open) {
      els.historyError.textContent = "";
      loadHistory();
      els.historyClose.focus();
    } else {
      els.historyToggle.focus();
    }
  }

  async function download(path) {
    try {
      await api.download(path, `${view.project?.name ?? "project"}.zip`);
    } catch (error) {
      showPromptError(`Download failed: ${error.message}`);
    }
  }

  els.historyToggle.addEventListener("click", () => toggleHistory());
  els.historyClose.addEventListener("click", () => toggleHistory(false));
  els.history.addEventListener("keydown", (event) => event.key === "Escape" && toggleHistory(false));
  els.download.addEventListener("click", () => download(`/api/projects/${view.id}/download`));
  els.previewReload.addEventListener("click", () => {
    const frame = document.getElementById("preview-frame");
    if (frame) frame.src = frame.src;
  });

  updateCount();
  renderConnection("connecting");
  channel.start();
  refreshUsage();
  return {
    kind: "project",
    view,
    channel,
    stop() {
      channel.stop();
      promptSettled();
      document.title = "ForgeAI editor";
    },
  };
}

function buildProjectDom(view, root) {
  const els = {};
  els.title = h("div", { class: "title row" }, h("h1", { id: "project-name" }, "Loading…"));
  els.connection = h("span", { id: "connection", class: "connection", role: "status", dataset: { state: "connecting" } });
  els.presence = h("div", { id: "presence", class: "presence", role: "group", "aria-label": "Who is watching" });
  els.download = h("button", { type: "button", id: "download", disabled: true }, "Download zip");
  els.historyToggle = h(
    "button",
    { type: "button", id: "history-toggle", "aria-expanded": "false", "aria-controls": "history" },
    "History",
  );
  els.messages = h("ol", { id: "messages", class: "messages", "aria-label": "Conversation" });
  els.empty = h("p", { class: "empty" }, "No messages yet.");
  els.chatScroll = h("div", { class: "chat-scroll", tabindex: "0", "aria-label": "Conversation history" }, els.empty, els.messages);
  els.stage = h("p", { id: "run-stage", class: "stage", role: "status", "aria-live": "polite" });
  els.prompt = h("textarea", {
    id: "prompt",
    rows: 3,
    placeholder: "Ask for a change…",
    "aria-describedby": "prompt-hint prompt-error",
  });
  els.count = h("span", { class: "meta", "aria-hidden": "true" });
  els.send = h("button", { type: "submit", class: "primary", id: "send" }, "Send");
  els.promptError = h("p", { id: "prompt-error", class: "error", role: "alert" });
  els.promptForm = h(
    "form",
    { id: "prompt-form", class: "prompt stack tight" },
    h("label", { for: "prompt" }, "Message the assistant"),
    els.prompt,
    h(
      "div",
      { class: "row between" },
      h("span", { id: "prompt-hint", class: "hint" }, "Enter sends (1 credit); Shift+Enter: new line."),
      els.count,
      els.send,
    ),
    els.promptError,
  );
  els.fileCount = h("span", { class: "meta" });
  els.tree = h("nav", { id: "file-tree", class: "file-tree", "aria-label": "Files" });
  els.codePath = h("p", { id: "code-path", class: "code-path" });
  els.code = h("code", { id: "code" });
  els.previewBox = h("div", { id: "preview", class: "preview-box" });
  els.previewOpen = h("a", { href: "#", target: "_blank", rel: "noopener noreferrer", hidden: true }, "Open in a new tab");
  els.previewReload = h("button", { type: "button", class: "quiet", hidden: true }, "Reload");
  els.historyList = h("ul", { id: "history-list", class: "history-list" });
  els.historyError = h("p", { class: "error", role: "alert" });
  els.historyClose = h("button", { type: "button", class: "quiet" }, "Close");
  els.history = h(
    "aside",
    { id: "history", class: "history card stack", hidden: true, "aria-labelledby": "history-title" },
    h("div", { class: "row between" }, h("h2", { id: "history-title" }, "Fragment history"), els.historyClose),
    h("p", { class: "hint" }, "Restoring makes an earlier version the latest one again."),
    els.historyError,
    els.historyList,
  );

  replaceChildren(
    root,
    h(
      "div",
      { class: "project-page", dataset: { projectId: view.id } },
      h(
        "div",
        { class: "project-head" },
        h("a", { href: "#/", class: "back" }, "← Projects"),
        els.title,
        h("div", { class: "row wrap end" }, els.connection, els.presence, els.historyToggle, els.download),
      ),
      h(
        "div",
        { class: "workspace" },
        h(
          "section",
          { class: "pane chat", "aria-labelledby": "chat-title" },
          h("h2", { id: "chat-title", class: "visually-hidden" }, "Conversation"),
          els.chatScroll,
          els.stage,
          els.promptForm,
        ),
        h(
          "section",
          { class: "pane code", "aria-labelledby": "files-title" },
          h("h2", { id: "files-title" }, "Files ", els.fileCount),
          h(
            "div",
            { class: "code-body" },
            els.tree,
            h("div", { class: "code-view" }, els.codePath, h("pre", { tabindex: "0", "aria-labelledby": "code-path" }, els.code)),
          ),
        ),
        h(
          "section",
          { class: "pane preview", "aria-labelledby": "preview-title" },
          h("div", { class: "row between" }, h("h2", { id: "preview-title" }, "Preview"), h("div", { class: "row" }, els.previewReload, els.previewOpen)),
          els.previewBox,
        ),
        els.history,
      ),
    ),
  );
  return els;
}

function describeRefusal(frame) {
  const when = (text) => text.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/, (iso) => formatTime(iso));
  if (frame.code === "out_of_credits") return `Out of credits: ${when(frame.message)}`;
  if (frame.code === "invalid_input") {
    const reason = frame.message.replace(/^value: /, "");
    if (/at least/.test(reason)) return `Too short: the message ${reason}.`;
    if (/at most/.test(reason)) return `Too long: the message ${reason}.`;
    return `Not accepted: ${reason}.`;
  }
  if (frame.code === "rate_limited") return `Slow down: ${frame.message}`;
  return frame.message;
}

function initials(userId) {
  const parts = userId.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return (parts.length > 1 ? parts[0][0] + parts[1][0] : userId.slice(0, 2)).toUpperCase();
}

function isNearBottom(element) {
  return element.scrollHeight - element.scrollTop - element.clientHeight < 80;
}

function scrollToEnd(element) {
  element.scrollTop = element.scrollHeight;
}
