// The Files pane: the tree of the current fragment's files with those the running reply has
// written over them, and the text of the selected file, which follows the newest write until the
// user picks one by hand.

import { h, replaceChildren } from "./dom.js";
import { buildTree, defaultPath } from "./files.js";

/** view: the project's state, whose `fragment` holds the files of the latest version. */
export function createCodePane(view) {
  let written = new Map(); // path -> content, from this reply's `file.written` events
  let selectedPath = null;
  let pickedByHand = false;
  const fileCount = h("span", { class: "meta" });
  const tree = h("nav", { id: "file-tree", class: "file-tree", "aria-label": "Files" });
  const codePath = h("p", { id: "code-path", class: "code-path" });
  const code = h("code", { id: "code" });
  const element = h(
    "section",
    { class: "pane code", "aria-labelledby": "files-title" },
    h("h2", { id: "files-title" }, "Files ", fileCount),
    h(
      "div",
      { class: "code-body" },
      tree,
      h("div", { class: "code-view" }, codePath, h("pre", { tabindex: "0", "aria-labelledby": "code-path" }, code)),
    ),
  );

  /** A fresh snapshot (`hello`): drops the writes seen before it; the next render() draws its fragment. */
  function forgetWritten() {
    written = new Map();
  }

  /** An assistant reply begins: its writes start from the fragment, and the selection may follow them. */
  function replyStarted() {
    written = new Map();
    pickedByHand = false;
    render();
  }

  function fileWritten(path, content) {
    written.set(path, content);
    if (!pickedByHand) selectedPath = path;
    render();
  }

  /** A new version is current (already in view.fragment): it replaces the writes shown over the old one. */
  function fragmentChanged(fragment) {
    written = new Map();
    if (!pickedByHand) selectedPath = defaultPath(Object.keys(fragment.files));
    render();
  }

  function currentFiles() {
    const files = new Map(Object.entries(view.fragment?.files ?? {}));
    for (const [path, content] of written) files.set(path, content);
    return files;
  }

  function render() {
    const files = currentFiles();
    const paths = [...files.keys()];
    if (!files.has(selectedPath)) selectedPath = defaultPath(paths);
    fileCount.textContent = paths.length ? `(${paths.length})` : "";
    if (paths.length === 0) {
      replaceChildren(tree, h("p", { class: "empty" }, "Files appear here as the assistant writes them."));
    } else {
      const focused = document.activeElement?.dataset?.path;
      replaceChildren(tree, treeList(buildTree(paths)));
      if (focused) tree.querySelector(`[data-path="${CSS.escape(focused)}"]`)?.focus();
    }
    codePath.textContent = selectedPath ?? "No file selected";
    const content = selectedPath ? files.get(selectedPath) : "";
    if (code.textContent !== content) code.textContent = content;
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

  return { element, render, forgetWritten, replyStarted, fileWritten, fragmentChanged };
}
