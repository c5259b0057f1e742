// The shared code of a project (API.md, "WebSocket: the shared code of a project"): a Y.Doc kept
// in step with the server over the y-websocket protocol, with the awareness of who is where. The
// doc keeps working while the socket is down; every (re)connection syncs both ways, so edits made
// offline are merged when it is back.

import {
  Awareness,
  MESSAGE_AWARENESS,
  MESSAGE_SYNC,
  Y,
  applyAwarenessUpdate,
  decoding,
  encodeAwarenessUpdate,
  encoding,
  messageYjsSyncStep1,
  messageYjsSyncStep2,
  removeAwarenessStates,
  writeSyncStep1,
  writeUpdate,
} from "./vendor/editor-libs.js";
import { PING_EVERY_MS, SILENCE_LIMIT_MS, retryDelay } from "./channel.js";

const MESSAGE_AUTH = 2; // then PERMISSION_DENIED and a reason: a VIEWER's update was not applied
const PERMISSION_DENIED = 0;
const MESSAGE_QUERY_AWARENESS = 3; // the server answers with everyone's awareness: our keep-alive
const MAX_BACKOFF_MS = 2_000;
const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_FORBIDDEN = 4403;
const CLOSE_NOT_FOUND = 4404;
const CLOSE_RESTART = 4000; // ours: this tab drops the socket and connects again

export class DocSocket {
  /**
   * user: {name, color}, this tab's awareness `user` (the server stamps the true id and name).
   * listener: {replaced(doc, awareness), synced(), state(name), denied(), unauthorized(), forbidden(), gone()}.
   * `replaced` comes first from start() and again whenever the doc is thrown away; `synced` after
   * each sync with the server. States: "connecting", "live", "reconnecting".
   */
  constructor(projectId, token, user, listener) {
    this.projectId = projectId;
    this.token = token;
    this.user = user;
    this.listener = listener;
    this.doc = null;
    this.awareness = null;
    this.socket = null;
    this.state = null;
    this.attempts = 0;
    this.stopped = false;
    this.everSynced = false;
    this.editedLocally = false; // this doc holds edits made here, which a refusal leaves unapplied
    this.remoteClients = new Set(); // awareness clients this socket told us about
    this.retryTimer = null;
    this.pingTimer = null;
    this.lastHeard = 0;
  }

  start() {
    this.fresh();
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    // Others drop this tab's cursor now rather than when the server notices the socket is gone.
    removeAwarenessStates(this.awareness, [this.doc.clientID], "stopped");
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close(1000);
    this.awareness.destroy();
    this.doc.destroy();
  }

  /** Drops the socket as a network failure would; the doc keeps working and syncs on reconnect. */
  drop() {
    this.restart(retryDelay(0, MAX_BACKOFF_MS));
  }

  /** A new, empty doc and awareness, handed to the listener; the old ones are destroyed. */
  fresh() {
    this.awareness?.destroy();
    this.doc?.destroy();
    const doc = new Y.Doc();
    const awareness = new Awareness(doc);
    awareness.setLocalStateField("user", this.user);
    doc.on("update", (update, origin) => {
      if (origin === this) return; // from the server: not sent back
      this.editedLocally = true;
      this.send(frame(MESSAGE_SYNC, (e) => writeUpdate(e, update)));
    });
    awareness.on("update", ({ added, updated, removed }, origin) => {
      const changed = [...added, ...updated, ...removed];
      if (origin === this) {
        added.forEach((id) => this.remoteClients.add(id));
        removed.forEach((id) => this.remoteClients.delete(id));
      } else if (changed.includes(doc.clientID)) {
        this.send(awarenessFrame(awareness)); // only our own: the server takes no other
      }
    });
    this.doc = doc;
    this.awareness = awareness;
    this.editedLocally = false;
    this.remoteClients = new Set();
    this.listener.replaced(doc, awareness);
  }

  connect() {
    this.setState(this.everSynced ? "reconnecting" : "connecting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const query = new URLSearchParams({ token: this.token });
    const socket = new WebSocket(`${scheme}//${location.host}/ws/projects/${this.projectId}/doc?${query}`);
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    this.lastHeard = Date.now();
    socket.addEventListener("open", () => {
      if (socket === this.socket) this.opened();
    });
    socket.addEventListener("message", (event) => {
      // The server's one text frame answers an `auth` token renewal, which this page never sends.
      if (socket === this.socket && event.data instanceof ArrayBuffer) this.receive(new Uint8Array(event.data));
    });
    socket.addEventListener("close", (event) => {
      if (socket === this.socket) this.closed(event.code);
    });
  }

  opened() {
    // Our step 1 asks for what the server has; its step 1 (on connect) asks for what we have.
    this.send(frame(MESSAGE_SYNC, (e) => writeSyncStep1(e, this.doc)));
    this.announce();
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.keepAlive(), PING_EVERY_MS);
  }

  /** Sends this tab's awareness state (through the awareness listener) at a clock two above the
   * last: when the last socket closed, the server told the others this client left at its clock
   * + 1 (as y-websocket's server does), and they ignore a state whose clock is not above that. */
  announce() {
    const state = this.awareness.getLocalState();
    if (state === null) return;
    this.awareness.meta.get(this.awareness.clientID).clock += 1;
    this.awareness.setLocalState(state);
  }

  send(bytes) {
    // While down, nothing is queued: the next sync carries every edit the server lacks.
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(bytes);
  }

  receive(bytes) {
    this.lastHeard = Date.now();
    const decoder = decoding.createDecoder(bytes);
    switch (decoding.readVarUint(decoder)) {
      case MESSAGE_SYNC:
        this.receiveSync(decoder);
        break;
      case MESSAGE_AWARENESS:
        applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
        break;
      case MESSAGE_AUTH:
        if (decoding.readVarUint(decoder) === PERMISSION_DENIED) this.denied();
        break;
      default:
        break; // a message type of a later protocol version
    }
  }

  receiveSync(decoder) {
    const kind = decoding.readVarUint(decoder);
    const payload = decoding.readVarUint8Array(decoder);
    if (kind === messageYjsSyncStep1) {
      const missing = Y.encodeStateAsUpdate(this.doc, payload);
      // Nothing to give: not sent, so a viewer's fresh tab is not refused for an empty answer.
      if (!isEmptyUpdate(missing)) {
        this.send(frame(MESSAGE_SYNC, (e) => {
          encoding.writeVarUint(e, messageYjsSyncStep2);
          encoding.writeVarUint8Array(e, missing);
        }));
      }
      return;
    }
    Y.applyUpdate(this.doc, payload, this); // step 2 or an update
    if (kind === messageYjsSyncStep2) {
      this.attempts = 0;
      this.everSynced = true;
      this.setState("live");
      this.listener.synced();
    }
  }

  /** The server refused an update of ours: this tab may not edit. If the doc holds edits the
   * server never applied, it would disagree with everyone's from now on: start over from theirs. */
  denied() {
    this.listener.denied();
    if (!this.editedLocally) return;
    this.fresh();
    this.restart(0);
  }

  keepAlive() {
    if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) {
      this.drop(); // a half-open connection: the query went unanswered
      return;
    }
    this.send(Uint8Array.of(MESSAGE_QUERY_AWARENESS));
  }

  /** Closes the socket (if any) and connects again after `delay` ms. */
  restart(delay) {
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close(CLOSE_RESTART);
    this.closed(CLOSE_RESTART, delay);
  }

  closed(code, delay = retryDelay(this.attempts, MAX_BACKOFF_MS)) {
    clearInterval(this.pingTimer);
    if (this.stopped) return;
    // The others' cursors are no longer known; the server sends them again on reconnect.
    removeAwarenessStates(this.awareness, [...this.remoteClients], this);
    const ending = { [CLOSE_UNAUTHORIZED]: "unauthorized", [CLOSE_FORBIDDEN]: "forbidden", [CLOSE_NOT_FOUND]: "gone" };
    if (ending[code]) {
      this.stopped = true;
      this.listener[ending[code]]();
      return;
    }
    this.setState(this.everSynced ? "reconnecting" : "connecting");
    this.attempts += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.connect();
    }, delay);
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.listener.state(state);
  }
}

/** A y-websocket frame: the message type, then what `write` puts after it. */
function frame(type, write) {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

function awarenessFrame(awareness) {
  return frame(MESSAGE_AWARENESS, (e) =>
    encoding.writeVarUint8Array(e, encodeAwarenessUpdate(awareness, [awareness.clientID])),
  );
}

/** No structs and no deletions: Yjs encodes that as two zero bytes. */
function isEmptyUpdate(update) {
  return update.length === 2 && update[0] === 0 && update[1] === 0;
}
