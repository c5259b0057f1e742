// The assistant as a cursor in the code while a run writes it. A `file.written` event says which
// file it wrote; the doc's own change of that file (which may reach this tab before the event or
// after it) says where. y-codemirror draws the cursor from awareness, as it draws people's; this
// awareness state is this tab's alone and is never sent.

import { Awareness, Y, applyAwarenessUpdate, encodeAwarenessUpdate } from "./vendor/editor-libs.js";

export const AGENT_NAME = "Assistant";
const AGENT_COLOR = "#6d28d9";
const ORIGIN = "agent-cursor";

export class AgentCursor {
  constructor() {
    // The assistant's own awareness on a doc of its own: a client id that is no tab's, and a state
    // that renews itself (every 15 s) so the shared awareness never times it out.
    this.own = new Awareness(new Y.Doc());
    this.own.setLocalState(null);
    this.own.on("update", () => this.forward());
    this.shared = null; // the awareness of the doc the editor shows
    this.files = null;
    this.lastChange = new Map(); // path -> relative position at the end of its latest remote change
    this.awaiting = new Set(); // paths written whose change has not reached this doc yet
  }

  /** The doc (new, or a fresh one after the old was thrown away) and its awareness. */
  bind(doc, awareness) {
    this.files = doc.getMap("files");
    this.shared = awareness;
    this.lastChange = new Map();
    this.files.observeDeep((events, transaction) => {
      if (!transaction.local) events.forEach((event) => this.changed(event));
    });
    this.forward();
  }

  /** The assistant wrote `content` to `path` (a `file.written` event). */
  wrote(path, content) {
    const text = this.files?.get(path);
    const at = this.lastChange.get(path);
    if (at && text?.toString() === content) this.place(at);
    else this.awaiting.add(path); // the next change of the file from elsewhere is the write
  }

  /** The run ended: no cursor. */
  clear() {
    this.awaiting.clear();
    if (this.own.getLocalState() !== null) this.own.setLocalState(null);
  }

  destroy() {
    this.own.destroy();
  }

  changed(event) {
    if (event.target === this.files) {
      for (const [path, { action }] of event.changes.keys) {
        if (action === "delete") this.lastChange.delete(path);
        else this.noteChange(path, this.files.get(path), this.files.get(path).length); // a new file
      }
      return;
    }
    let at = 0;
    let end = null; // where the change's last insert or delete ended, in the text after it
    for (const op of event.delta) {
      if (op.retain) at += op.retain;
      else if (op.insert) {
        at += op.insert.length;
        end = at;
      } else if (op.delete) {
        end = at;
      }
    }
    if (end !== null) this.noteChange(event.path[0], event.target, end);
  }

  noteChange(path, text, index) {
    const at = Y.createRelativePositionFromTypeIndex(text, index);
    this.lastChange.set(path, at);
    if (this.awaiting.delete(path)) this.place(at);
  }

  place(at) {
    this.own.setLocalState({ user: { name: AGENT_NAME, color: AGENT_COLOR }, cursor: { anchor: at, head: at } });
  }

  forward() {
    if (this.shared === null) return;
    applyAwarenessUpdate(this.shared, encodeAwarenessUpdate(this.own, [this.own.clientID]), ORIGIN);
  }
}
