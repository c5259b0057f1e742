// One project's WebSocket channel (API.md): hello or resumed first, then events in `seq` order.
// The channel keeps `epoch` and the last `seq` it applied, reconnects by itself with
// `?since=&epoch=`, drops duplicates and reconnects on a gap, so its listener sees every event
// exactly once and in order.

export const PING_EVERY_MS = 15_000;
export const SILENCE_LIMIT_MS = 25_000; // no frame, not even a pong, for this long: the connection is dead
const MAX_BACKOFF_MS = 2_000;
const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_FORBIDDEN = 4403; // the user's access to the project was removed
const CLOSE_NOT_FOUND = 4404;

export class ProjectChannel {
  /**
   * listener: {hello(frame), event(frame), frame(frame), state(name), unauthorized(), forbidden(), gone()}
   * States: "connecting" (first time), "live", "reconnecting", "resynced" (live again from a fresh
   * snapshot, because history could not serve the resume).
   */
  constructor(projectId, token, listener) {
    this.projectId = projectId;
    this.token = token;
    this.listener = listener;
    this.epoch = null;
    this.seq = null;
    this.socket = null;
    this.attempts = 0;
    this.stopped = false;
    this.everConnected = false;
    this.state = "connecting";
    this.retryTimer = null;
    this.pingTimer = null;
    this.lastHeard = 0;
  }

  start() {
    this.setState(this.everConnected ? "reconnecting" : "connecting");
    const params = new URLSearchParams({ token: this.token });
    if (this.seq !== null && this.epoch !== null) {
      params.set("since", String(this.seq));
      params.set("epoch", this.epoch);
    }
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const url = `${scheme}//${location.host}/ws/projects/${this.projectId}?${params}`;
    const socket = new WebSocket(url);
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

  /** Sends a client frame; false when the socket is not open (the caller says so to the user). */
  send(frame) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN || this.state === "reconnecting") {
      return false;
    }
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** Drops the socket as a network failure would; the channel resumes by itself. */
  drop() {
    const socket = this.socket;
    if (!socket) return;
    this.socket = null;
    socket.close(4000, "dropped by the client");
    this.closed(4000);
  }

  receive(data) {
    this.lastHeard = Date.now();
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (frame.type === "hello") {
      const resync = this.everConnected;
      this.epoch = frame.epoch;
      this.seq = frame.seq;
      this.connected(resync ? "resynced" : "live");
      this.listener.hello(frame);
      return;
    }
    if (frame.type === "resumed") {
      this.epoch = frame.epoch;
      this.connected("live");
      return;
    }
    if (typeof frame.seq === "number") {
      if (this.seq !== null && frame.seq <= this.seq) return; // already applied
      if (this.seq !== null && frame.seq !== this.seq + 1) {
        this.resume(); // a gap: ask again from the last seq applied
        return;
      }
      this.seq = frame.seq;
      this.listener.event(frame);
      if (frame.type === "project.deleted") {
        this.stop();
        this.listener.gone();
      }
      return;
    }
    this.listener.frame(frame);
  }

  connected(state) {
    this.attempts = 0;
    this.everConnected = true;
    this.setState(state);
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.keepAlive(), PING_EVERY_MS);
  }

  keepAlive() {
    if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) {
      this.resume(); // a half-open connection: no pong came back
      return;
    }
    this.send({ type: "ping" });
  }

  resume() {
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close(4000, "resuming");
    this.closed(4000);
  }

  closed(code) {
    clearInterval(this.pingTimer);
    if (this.stopped) return;
    if (code === CLOSE_UNAUTHORIZED) {
      this.stopped = true;
      this.listener.unauthorized();
      return;
    }
    if (code === CLOSE_FORBIDDEN) {
      this.stopped = true;
      this.listener.forbidden();
      return;
    }
    if (code === CLOSE_NOT_FOUND) {
      this.stopped = true;
      this.listener.gone();
      return;
    }
    this.everConnected = this.everConnected || this.seq !== null;
    this.setState(this.everConnected ? "reconnecting" : "connecting");
    const delay = retryDelay(this.attempts, MAX_BACKOFF_MS);
    this.attempts += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.start();
    }, delay);
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.listener.state(state);
  }
}

/** The wait before reconnect attempt `attempts` (0 first): doubling up to `max`, with jitter so the
 * tabs a server restart dropped do not all come back at once. */
export function retryDelay(attempts, max) {
  return Math.min(max, 200 * 2 ** attempts) * (0.75 + Math.random() / 2);
}
