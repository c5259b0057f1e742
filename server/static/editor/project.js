// One project's live view: the conversation, the run's stage, files, preview, history, presence
// and sharing, drawn from the channel's `hello` and kept current by its events (API.md), and the
// shared code from its own socket. Each part lives in its own module; this one keeps the
// project's state, lays the parts out and routes events to them.

import { colorOf, displayName } from "./avatars.js";
import { ApiError } from "./api.js";
import { ProjectChannel } from "./channel.js";
import { createCodePane } from "./code.js";
import { createConnectionBadge } from "./connection.js";
import { createConversation } from "./conversation.js";
import { DocSocket } from "./doc-socket.js";
import { createHistory } from "./history.js";
import { createImports } from "./imports.js";
import { layOut } from "./layout.js";
import { createPresence } from "./presence.js";
import { createPreview } from "./preview.js";
import { createPrompt } from "./prompt.js";
import { canEdit } from "./roles.js";
import { Roster } from "./roster.js";
import { currentRun, isActive } from "./runs.js";
import { createShare } from "./share.js";
import { createStage } from "./stage.js";
import { createTitle } from "./title.js";

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
    interrupted: new Set(), // ids of runs seen going back to the queue after they had started
    versionTimes: new Map(), // fragment id -> createdAt, of the versions the history loaded
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
      // The snapshot lists every message's fragment in short; the latest comes whole, metadata too.
      const latest = view.messages.find((m) => m.id === frame.fragment?.messageId);
      if (latest) latest.fragment = frame.fragment;
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
    state: (state) => connection.show(state),
    unauthorized: sessionEnded,
    forbidden: accessRemoved,
    gone: projectGone,
  });
  const title = createTitle(view, api);
  const connection = createConnectionBadge();
  const presence = createPresence(view, session, roster);
  const conversation = createConversation(view, channel, roster, session);
  const stage = createStage({ stop: cancelRun, canStop: () => canEdit(view.role) });
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
  const history = createHistory(view, api, {
    showError: prompt.showError,
    preview(fragment) {
      preview.showVersion(fragment);
      layout.show("preview"); // on a phone the preview is behind its tab
    },
    toggled: (open) => layout.historyToggled(open),
    loaded: () => conversation.render(), // a restore message can say its version's time
  });
  const share = createShare(view, roster, session, api, leave);
  const imports = createImports(view, api, prompt.attach);
  const parts = { title, connection: connection.element, presence, share, imports, conversation, stage, prompt, code, preview, history };
  const layout = layOut(main(), view, parts);

  function applyEvent(frame) {
    switch (frame.type) {
      case "message.created":
        conversation.upsert(frame.message);
        if (frame.message.role === "USER") {
          // Its own run comes next: a run active now is a reply this prompt waits behind.
          prompt.acceptIfSent(frame.message, isActive(currentRun(view.runs)));
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
      case "run.updated": {
        const before = view.runs.get(frame.run.id);
        if (before?.status === "RUNNING" && frame.run.status === "PENDING") view.interrupted.add(frame.run.id);
        view.runs.set(frame.run.id, frame.run);
        renderStage();
        break;
      }
      case "import.updated":
        imports.importChanged(frame.import);
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
    imports.button.hidden = !canEdit(view.role);
    usageChanged();
  }

  /** A prompt spends the owner's credits: Send waits for them only when they are the user's own. */
  function usageChanged() {
    prompt.setCredits(session.usage, view.project?.userId === session.userId);
  }

  /** Stop (API.md: POST /api/runs/{id}/cancel): `run.updated` brings CANCELLED, the reply stays. */
  async function cancelRun(run) {
    try {
      await api.post(`/api/runs/${run.id}/cancel`);
    } catch (failure) {
      // 409: the run ended meanwhile, and its event says how.
      if (!(failure instanceof ApiError && failure.status === 409)) prompt.showError(`Could not stop the reply: ${failure.message}`);
      renderStage();
    }
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
    conversation.keepingEnd(() => stage.show(view.runs, view.interrupted));
    conversation.runsChanged();
    prompt.runsChanged(view.runs);
    code.runsChanged(view.runs);
  }

  channel.start();
  doc.start();
  return {
    kind: "project",
    view,
    channel,
    doc,
    usageChanged,
    stop() {
      stopped = true;
      connection.stop();
      share.dialog.close();
      imports.dialog.close();
      layout.stop();
      preview.stop();
      channel.stop();
      doc.stop();
      code.stop();
      prompt.settle();
      document.title = "ForgeAI editor";
    },
  };
}
