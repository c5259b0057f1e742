// One project's live view: the conversation, the run's stage, files, preview, history, presence
// and sharing, drawn from the channel's `hello` and kept current by its events (API.md), and the
// shared code from its own socket. Each part lives in its own module; this one keeps the
// project's state, lays the parts out and routes events to them.

import { colorOf, displayName } from "./avatars.js";
import { ProjectChannel } from "./channel.js";
import { createCodePane } from "./code.js";
import { createConversation } from "./conversation.js";
import { DocSocket } from "./doc-socket.js";
import { h, replaceChildren } from "./dom.js";
import { createHistory } from "./history.js";
import { createPresence } from "./presence.js";
import { createPreview } from "./preview.js";
import { createPrompt } from "./prompt.js";
import { canEdit } from "./roles.js";
import { Roster } from "./roster.js";
import { createShare } from "./share.js";
import { createStage } from "./stage.js";
import { createTitle } from "./title.js";

const CONNECTION_LABELS = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  resynced: "Live (resynced)",
};

/** ctx: {api, session, sessionEnded, showList(notice), main()}. */
export function openProject(ctx, projectId) {
  const { api, session, sessionEnded, main } = ctx;
  // The project as the channel last described it; the parts keep their own on-screen state.
  const view = {
    id: projectId,
    clientId: null,
    role: null, // the signed-in user's: OWNER, EDITOR or VIEWER
    project: null,
    messages: [],
    fragment: null,
    runs: new Map(),
    presence: new Map(),
  };
  const roster = new Roster(session);
  let leaving = false; // the user asked to leave: the channel's 4403 is their own doing
  let stopped = false;

  // The listener is first called from `channel.start()` below, once every part exists.
  const channel = new ProjectChannel(projectId, api.token, {
    hello(frame) {
      view.clientId = frame.clientId;
      view.role = frame.role;
      view.project = frame.project;
      view.messages = frame.messages;
      view.fragment = frame.fragment;
      view.runs = new Map(frame.runs.map((run) => [run.id, run]));
      view.presence = new Map(frame.presence.clients.map((c) => [c.clientId, c]));
      roster.reset(frame.members);
      frame.presence.clients.forEach((client) => roster.learn(client));
      code.forgetWritten();
      renderAll();
    },
    event: applyEvent,
    frame(frame) {
      if (frame.type === "presence.joined") {
        view.presence.set(frame.client.clientId, frame.client);
        roster.learn(frame.client);
        peopleChanged();
      } else if (frame.type === "presence.left") {
        view.presence.delete(frame.clientId);
        presence.render();
      } else if (frame.type === "error") {
        prompt.refused(frame);
      }
    },
    state: showConnection,
    unauthorized: sessionEnded,
    forbidden: accessRemoved,
    gone: projectGone,
  });
  const title = createTitle(view, api);
  const connection = h("span", { id: "connection", class: "connection", role: "status", dataset: { state: "connecting" } });
  const presence = createPresence(view, session, roster);
  const conversation = createConversation(view, channel, roster, session);
  const stage = createStage();
  const prompt = createPrompt(channel);
  const code = createCodePane(view);
  const doc = new DocSocket(projectId, api.token, { name: displayName(session), color: colorOf(session.userId) }, {
    replaced: code.docReplaced,
    synced: code.docSynced,
    state: code.connectionChanged,
    denied: code.editRefused,
    unauthorized: sessionEnded,
    forbidden: accessRemoved,
    gone: projectGone,
  });
  const preview = createPreview(view);
  const history = createHistory(view, api, prompt.showError);
  const share = createShare(view, roster, session, api, leave);
  const parts = { title, connection, presence, share, conversation, stage, prompt, code, preview, history };
  layOut(main(), view, parts);

  function applyEvent(frame) {
    switch (frame.type) {
      case "message.created":
        conversation.upsert(frame.message);
        if (frame.message.role === "USER") {
          prompt.acceptIfSent(frame.message);
        } else {
          code.replyStarted();
        }
        break;
      case "message.delta":
        conversation.applyDelta(frame);
        break;
      case "message.completed":
      case "message.updated":
        conversation.upsert(frame.message);
        break;
      case "file.written":
        code.fileWritten(frame.path, frame.content);
        break;
      case "fragment.updated":
        view.fragment = frame.fragment;
        code.fragmentChanged(frame.fragment);
        conversation.attachFragment(frame.fragment);
        preview.render();
        history.fragmentChanged();
        break;
      case "run.updated":
        view.runs.set(frame.run.id, frame.run);
        renderStage();
        break;
      case "project.updated":
      case "project.deleted":
        view.project = frame.project;
        title.render();
        share.render();
        break;
      case "member.updated":
        roster.updated(frame.member);
        if (frame.member.userId === session.userId) {
          const changed = frame.member.role !== view.role;
          view.role = frame.member.role;
          if (changed) history.roleChanged();
          code.roleChanged(); // even unchanged: it is the word on an edit the server refused
        }
        peopleChanged();
        share.invitationsChanged();
        break;
      case "member.removed":
        roster.removed(frame.userId);
        peopleChanged();
        break;
      default:
        break; // draft.updated and future events: nothing on screen depends on them
    }
  }

  function renderAll() {
    peopleChanged();
    renderStage();
    code.roleChanged();
    history.render();
    preview.render();
    conversation.scrollToEnd(); // a fresh snapshot opens on the latest message
  }

  /** Members, their names or the user's own role changed: every part that shows them follows. */
  function peopleChanged() {
    title.render();
    presence.render();
    conversation.render();
    share.render();
    prompt.setEditable(canEdit(view.role), displayName(roster.person(view.project.userId)));
  }

  /** The user leaves the project: the channel's 4403 may come before the answer or after it. */
  async function leave() {
    leaving = true;
    try {
      await api.delete(`/api/projects/${view.id}/members/${encodeURIComponent(session.userId)}`);
    } catch (failure) {
      leaving = false;
      throw failure;
    }
    leaveFor(`You left ${view.project.name}.`);
  }

  function accessRemoved() {
    const name = view.project?.name ?? "that project";
    leaveFor(leaving ? `You left ${name}.` : `You no longer have access to ${name}.`);
  }

  function projectGone() {
    leaveFor("That project was deleted or is not yours.");
  }

  /** Back to the list with a notice, once, whichever of the channel or a request got here first. */
  function leaveFor(notice) {
    if (!stopped) ctx.showList(notice);
  }

  function renderStage() {
    // The stage line takes room from the conversation: keep its end in view if it was.
    conversation.keepingEnd(() => stage.show(view.runs));
    code.runsChanged(view.runs);
  }

  function showConnection(state) {
    connection.dataset.state = state;
    connection.textContent = CONNECTION_LABELS[state] ?? state;
  }

  showConnection("connecting");
  channel.start();
  doc.start();
  return {
    kind: "project",
    view,
    channel,
    doc,
    stop() {
      stopped = true;
      share.dialog.close();
      channel.stop();
      doc.stop();
      code.stop();
      prompt.settle();
      document.title = "ForgeAI editor";
    },
  };
}

/** Puts the parts on the page: the head row, then the conversation, files, preview and history. */
function layOut(root, view, parts) {
  const { title, connection, presence, share, conversation, stage, prompt, code, preview, history } = parts;
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
          history.toggle,
          history.downloadButton,
        ),
      ),
      h(
        "div",
        { class: "workspace" },
        h(
          "section",
          { class: "pane chat", "aria-labelledby": "chat-title" },
          h("h2", { id: "chat-title", class: "visually-hidden" }, "Conversation"),
          conversation.element,
          stage.element,
          prompt.element,
        ),
        code.element,
        preview.element,
        history.panel,
      ),
      share.dialog,
    ),
  );
}
