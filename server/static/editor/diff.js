// Comparing two versions of a project in the page: which files were added, removed or changed, and
// a line diff of one file (a longest common subsequence of lines, after the common head and tail).

const MAX_CELLS = 4_000_000; // beyond this (about 2,000 changed lines each side) a file shows as replaced

/** files: path -> text. Returns [{path, status: "added" | "removed" | "changed", added, removed}],
 * by path; files with the same text are left out. */
export function diffFiles(before, after) {
  const paths = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes = [];
  for (const path of paths) {
    const old = before[path];
    const now = after[path];
    if (old === now) continue;
    const status = old === undefined ? "added" : now === undefined ? "removed" : "changed";
    const lines = diffLines(old ?? "", now ?? "");
    changes.push({
      path,
      status,
      added: lines.filter((l) => l.op === "+").length,
      removed: lines.filter((l) => l.op === "-").length,
    });
  }
  return changes;
}

function splitLines(text) {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop(); // a final newline ends the last line, it starts none
  return lines;
}

/** [{op: " " | "-" | "+", text}] turning `before` into `after`, line by line. */
export function diffLines(before, after) {
  const a = splitLines(before);
  const b = splitLines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head += 1;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) {
    tail += 1;
  }
  const same = (lines) => lines.map((text) => ({ op: " ", text }));
  const middle = middleDiff(a.slice(head, a.length - tail), b.slice(head, b.length - tail));
  return [...same(a.slice(0, head)), ...middle, ...same(a.slice(a.length - tail))];
}

function middleDiff(a, b) {
  if (a.length * b.length > MAX_CELLS) {
    return [...a.map((text) => ({ op: "-", text })), ...b.map((text) => ({ op: "+", text }))];
  }
  // lengths[i][j]: the longest common subsequence of a[i..] and b[j..].
  const lengths = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lengths[i][j] = a[i] === b[j] ? lengths[i + 1][j + 1] + 1 : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ op: " ", text: a[i] });
      i += 1;
      j += 1;
    } else if (i < a.length && (j === b.length || lengths[i + 1][j] >= lengths[i][j + 1])) {
      out.push({ op: "-", text: a[i] }); // removals first, as a unified diff shows them
      i += 1;
    } else {
      out.push({ op: "+", text: b[j] });
      j += 1;
    }
  }
  return out;
}
