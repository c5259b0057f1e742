// The signed-in person's own channel (`/ws/me`, API.md): their project list and credits, live.
// Its frames are not sequenced: every `hello` (the first of a connection, or one the server sends
// when it may have missed changes) replaces the whole list, and it reconnects by itself.

import { PING_EVERY_MS, SILENCE_LIMIT_MS, retryDelay } from "./channel.js";

const MAX_BACKOFF_MS = 10_000; // a list a few seconds late harms less than a stalled stream: spare the server
const CLOSE_UNAUTHORIZED = 4401;

export class MeChannel {
  /**
   * listener: {projects(list), usage(usage), unauthorized()}; `list` is the whole project list,
   * most recently updated first, each project with the user's `role`.
   */
  constructor(token, listener) {
    this.token = token;
    this.listener = listener;
    this.projects = [];
    this.socket = null;
    this.attempts = 0;
    this.stopped = false;
    this.retryTimer = null;
    this.pingTimer = null;
    this.lastHeard = 0;
  }

  start() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/ws/me?${new URLSearchParams({ token: this.token })}`);
    this.socket = socket;
    this.lastHeard = Date.now();
    socket.addEventListener("message", (event) => {
      if (socket === this.socket) this.receive(event.data);
    });
    socket.addEventListener("close", (event) => {
      if (socket === this.socket) this.closed(event.code);
    });
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close(1000);
  }

  receive(data) {
    this.lastHeard = Date.now();
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    switch (frame.type) {
      case "hello":
        this.attempts = 0;
        clearInterval(this.pingTimer);
        this.pingTimer = setInterval(() => this.keepAlive(), PING_EVERY_MS);
        this.showProjects(frame.projects);
        this.listener.usage(frame.usage);
        break;
      case "project.listed":
        this.showProjects([frame.project, ...this.projects.filter((p) => p.id !== frame.project.id)]);
        break;
      case "project.unlisted":
        this.showProjects(this.projects.filter((p) => p.id !== frame.projectId));
        break;
      case "usage.updated":
        this.listener.usage(frame.usage);
        break;
      default:
        break; // pong, and frames of later versions
    }
  }

  showProjects(projects) {
    // ISO 8601 UTC with milliseconds: the strings sort as the times do.
    this.projects = projects.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    this.listener.projects(this.projects);
  }

  keepAlive() {
    if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) {
      const socket = this.socket; // a half-open connection: no pong came back
      this.socket = null;
      if (socket) socket.close(4000, "no answer");
      this.closed(4000);
      return;
    }
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: "ping" }));
  }

  closed(code) {
    clearInterval(this.pingTimer);
    if (this.stopped) return;
    if (code === CLOSE_UNAUTHORIZED) {
      this.stopped = true;
      this.listener.unauthorized();
      return;
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.start();
    }, retryDelay(this.attempts, MAX_BACKOFF_MS));
    this.attempts += 1;
  }
}
