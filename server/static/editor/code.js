// The Files pane: the tree of the project's shared code and an editor on the selected file, both
// live from the shared doc (doc-socket.js), with the assistant's cursor where a run writes. The
// selection follows the newest write until the user picks a file or works in the editor.

import { AgentCursor } from "./agent-cursor.js";
import { createCodeEditor } from "./code-editor.js";
import { h, replaceChildren } from "./dom.js";
import { buildTree, defaultPath } from "./files.js";
import { canEdit } from "./roles.js";

const CONNECTION_NOTES = {
  connecting: "Connecting to the code…",
  reconnecting: "Offline: your edits are kept here and merged when the connection is back.",
  live: "",
};

/** view: the project's state, whose `role` says whether the user may edit. */
export function createCodePane(view) {
  let files = null; // the doc's `files` map: path -> Y.Text
  let awareness = null;
  let synced = false;
  let refused = false; // the server refused an edit: read-only until the role is known again
  let written = new Set(); // paths the running reply wrote
  let selectedPath = null;
  let pickedByHand = false;
  const editor = createCodeEditor();
  const agent = new AgentCursor();
  const fileCount = h("span", { class: "meta" });
  const note = h("p", { id: "code-status", class: "code-status", role: "status" });
  const tree = h("nav", { id: "file-tree", class: "file-tree", "aria-label": "Files" });
  const codePath = h("span", { id: "code-path" });
  const readOnly = h("span", { class: "meta", hidden: true }, " · read only");
  const element = h(
    "section",
    { class: "pane code", "aria-labelledby": "files-title" },
    h("h2", { id: "files-title" }, "Files ", fileCount),
    note,
    h(
      "div",
      { class: "code-body" },
      tree,
      h(
        "div",
        { class: "code-view" },
        h("p", { class: "code-path" }, codePath, readOnly),
        editor.element,
        h("p", { class: "hint code-hint" }, "Esc then Tab leaves the editor."),
      ),
    ),
  );
  // Working in a file is picking it: the assistant's next write must not pull the editor away.
  editor.element.addEventListener("focusin", () => {
    pickedByHand = true;
  });

  /** The doc socket made a doc: the first, or a fresh one after it threw one away. */
  function docReplaced(doc, nextAwareness) {
    files = doc.getMap("files");
    awareness = nextAwareness;
    synced = false;
    editor.keepHistories(null);
    agent.bind(doc, awareness);
    files.observe(render); // files added or removed; their texts change inside the editor
    render();
  }

  function docSynced() {
    synced = true;
    render();
  }

  function connectionChanged(state) {
    note.dataset.state = state;
    note.textContent = CONNECTION_NOTES[state] ?? "";
  }

  /** The server refused an edit of this tab: the role it has there is not one that edits. */
  function editRefused() {
    refused = true;
    renderAccess();
  }

  /** The user's role is known again (a snapshot or their member event): it decides alone. */
  function roleChanged() {
    refused = false;
    renderAccess();
  }

  /** A fresh snapshot (`hello`): drops what the running reply wrote before it. */
  function forgetWritten() {
    written = new Set();
    refused = false;
  }

  /** An assistant reply begins: its writes are new, and the selection may follow them. */
  function replyStarted() {
    written = new Set();
    pickedByHand = false;
    agent.clear();
    render();
  }

  function fileWritten(path, content) {
    written.add(path);
    if (!pickedByHand) selectedPath = path;
    agent.wrote(path, content);
    render();
  }

  /** A new version is current: its writes are no longer news, and its entry page is shown. */
  function fragmentChanged(fragment) {
    written = new Set();
    if (!pickedByHand) selectedPath = defaultPath(Object.keys(fragment.files));
    render();
  }

  /** runs: the project's runs by id. The assistant's cursor shows only while one is running. */
  function runsChanged(runs) {
    if (![...runs.values()].some((run) => run.status === "RUNNING")) agent.clear();
  }

  function render() {
    const paths = files ? [...files.keys()] : [];
    // A file just written may not be in the doc yet: its update is on its way.
    if (!paths.includes(selectedPath) && !written.has(selectedPath)) selectedPath = defaultPath(paths);
    fileCount.textContent = paths.length ? `(${paths.length})` : "";
    if (paths.length === 0) {
      const empty = synced ? "Files appear here as the assistant writes them." : "Loading the code…";
      replaceChildren(tree, h("p", { class: "empty" }, empty));
    } else {
      const focused = document.activeElement?.dataset?.path;
      replaceChildren(tree, treeList(buildTree(paths)));
      if (focused) tree.querySelector(`[data-path="${CSS.escape(focused)}"]`)?.focus();
    }
    codePath.textContent = selectedPath ?? "No file selected";
    const text = selectedPath === null ? undefined : files?.get(selectedPath);
    if (text) editor.show(selectedPath, text, awareness);
    else editor.hide();
    editor.keepHistories(new Set(files?.values() ?? []));
    renderAccess();
  }

  function renderAccess() {
    const editable = canEdit(view.role) && !refused;
    editor.setEditable(editable);
    readOnly.hidden = editable;
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
              "aria-current": file.path === selectedPath ? "true" : null,
              onclick: () => {
                selectedPath = file.path;
                pickedByHand = true;
                render();
              },
            },
            file.name,
            written.has(file.path) ? h("span", { class: "written", title: "written in this run" }, " •") : null,
          ),
        ),
      ),
    );
  }

  function stop() {
    editor.destroy();
    agent.destroy();
  }

  return {
    element,
    docReplaced,
    docSynced,
    connectionChanged,
    editRefused,
    roleChanged,
    forgetWritten,
    replyStarted,
    fileWritten,
    fragmentChanged,
    runsChanged,
    stop,
  };
}
