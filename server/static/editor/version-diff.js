// What changed in one version against the one before it, in the history panel: the files added,
// removed and changed with their counts of lines, and the line diff of the file picked.

import { diffFiles, diffLines } from "./diff.js";
import { h, replaceChildren } from "./dom.js";

const CONTEXT = 3; // unchanged lines shown around each change
const STATUS_MARKS = { added: "A", removed: "D", changed: "M" };

/** before, after: the two versions' files (path -> text); before is null for the first version. */
export function versionDiff(before, after) {
  const changes = diffFiles(before ?? {}, after);
  const lines = h("div", { class: "diff-view" });
  const element = h(
    "div",
    { class: "version-diff stack tight" },
    h("p", { class: "meta" }, before ? summary(changes) : `The first version: ${summary(changes)}`),
  );
  if (changes.length === 0) return element;
  const files = h(
    "ul",
    { class: "diff-files" },
    changes.map((change) =>
      h(
        "li",
        { dataset: { status: change.status } },
        h(
          "button",
          {
            type: "button",
            class: "diff-file",
            dataset: { path: change.path },
            "aria-pressed": "false",
            onclick: (event) => pick(event.currentTarget, change.path),
          },
          h("span", { class: "diff-mark", title: change.status }, STATUS_MARKS[change.status]),
          h("span", { class: "diff-path" }, change.path),
          h("span", { class: "diff-counts" }, h("span", { class: "plus" }, `+${change.added}`), " ", h("span", { class: "minus" }, `-${change.removed}`)),
        ),
      ),
    ),
  );

  function pick(button, path) {
    for (const other of files.querySelectorAll("button")) other.setAttribute("aria-pressed", String(other === button));
    replaceChildren(lines, diffTable(path, diffLines(before?.[path] ?? "", after[path] ?? "")));
  }

  element.append(files, lines);
  pick(files.querySelector("button"), changes[0].path);
  return element;
}

function summary(changes) {
  if (changes.length === 0) return "no file changed.";
  const count = (status) => changes.filter((c) => c.status === status).length;
  const parts = [
    [count("added"), "added"],
    [count("changed"), "changed"],
    [count("removed"), "removed"],
  ].filter(([n]) => n > 0);
  return `${parts.map(([n, what]) => `${n} ${what}`).join(", ")} (${changes.length} ${changes.length === 1 ? "file" : "files"}).`;
}

/** The diff of one file, its unchanged stretches folded to a few lines of context. */
function diffTable(path, lines) {
  const shown = [];
  lines.forEach((line, index) => {
    const near = lines.slice(Math.max(0, index - CONTEXT), index + CONTEXT + 1).some((l) => l.op !== " ");
    if (line.op !== " " || near) shown.push(line);
    else if (shown.at(-1)?.op !== "…") shown.push({ op: "…", text: "" });
  });
  return h(
    "pre",
    { class: "diff-lines", tabindex: "0", "aria-label": `Changes in ${path}` },
    shown.map((line) =>
      h(
        "span",
        { class: "diff-line", dataset: { op: line.op } },
        line.op === "…" ? "⋯\n" : `${line.op} ${line.text}\n`,
      ),
    ),
  );
}
