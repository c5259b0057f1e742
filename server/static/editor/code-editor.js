// The code editor: one CodeMirror view on one shared file (a Y.Text of the project's doc), with
// its language's highlighting, the others' cursors and names, and undo that takes back only this
// tab's edits. Read-only for those who may not edit, switching live when that changes.

import { Compartment, EditorState, EditorView, Y, collab, editorSetup, languageFor } from "./vendor/editor-libs.js";
import { h } from "./dom.js";

const READ_ONLY = [EditorState.readOnly.of(true)]; // still focusable: a viewer reads and selects by keyboard

export function createCodeEditor() {
  const access = new Compartment();
  const element = h("div", { id: "code-editor", class: "code-editor", hidden: true });
  const view = new EditorView({ parent: element });
  let shown = null; // {text, awareness} on screen
  let editable = false;
  // One undo history per file, kept while the file exists, so switching away and back keeps it.
  const histories = new Map(); // Y.Text -> Y.UndoManager

  /** Shows `text` (the file at `path`), with the cursors of `awareness`. */
  function show(path, text, awareness) {
    element.hidden = false;
    if (shown?.text === text && shown.awareness === awareness) return;
    shown = { text, awareness };
    if (!histories.has(text)) histories.set(text, new Y.UndoManager(text));
    view.setState(
      EditorState.create({
        doc: text.toString(),
        extensions: [
          editorSetup,
          EditorView.lineWrapping, // the pane is narrow: long lines wrap rather than hide
          languageFor(path),
          collab(text, awareness, { undoManager: histories.get(text) }),
          access.of(editable ? [] : READ_ONLY),
          EditorView.contentAttributes.of({ "aria-label": `Code of ${path}` }),
        ],
      }),
    );
  }

  /** No file to show: the view lets go of the one it showed. */
  function hide() {
    element.hidden = true;
    if (shown === null) return;
    shown = null;
    view.setState(EditorState.create());
  }

  function setEditable(next) {
    if (next === editable) return;
    editable = next;
    view.dispatch({ effects: access.reconfigure(editable ? [] : READ_ONLY) });
  }

  /** The files still in the doc: the histories of the others go. `texts` null: the doc went. */
  function keepHistories(texts) {
    for (const [text, history] of histories) {
      if (texts?.has(text)) continue;
      history.destroy();
      histories.delete(text);
    }
  }

  /** The page goes: the view lets go of the doc and its awareness. */
  function destroy() {
    keepHistories(null);
    view.destroy();
  }

  return { element, show, hide, setEditable, keepHistories, destroy };
}
