// The editor's third-party libraries, bundled by ../build.mjs into one ES module that the page
// imports as /editor/vendor/editor-libs.js. Only what the editor uses is re-exported, under the
// names below; everything else is left out of the bundle by esbuild. The build adjusts style-mod
// and y-codemirror.next so that they work under the page's policy (no inline styles): see
// PATCHES in build.mjs.
//
//   Shared code (Yjs over the y-websocket protocol, API.md "WebSocket: the shared code"):
//     Y                      the whole yjs namespace (Y.Doc, Y.Text, Y.Map, Y.UndoManager, ...)
//     encoding, decoding     lib0's binary encoders, to read and write protocol frames
//     MESSAGE_SYNC, MESSAGE_AWARENESS      the first varuint of a y-websocket frame
//     writeSyncStep1, writeSyncStep2, writeUpdate, readSyncMessage, messageYjs*   (y-protocols/sync)
//     Awareness, encodeAwarenessUpdate, applyAwarenessUpdate, removeAwarenessStates (y-protocols/awareness)
//   Editing:
//     EditorView, EditorState, Compartment, keymap, placeholder    (CodeMirror 6)
//     editorSetup            the extensions every file view gets (basicSetup without its own history)
//     languageFor(path)      the language extension for a file's name ([] when unknown)
//     collab(ytext, awareness, options)   yCollab plus the keys for its undo manager
//     yCollab, yUndoManagerKeymap         (y-codemirror.next), for a caller that wants them apart
//   Chat replies:
//     renderMarkdown(text)   Markdown to sanitized HTML (marked, then DOMPurify)
//     highlightCode(code, language)        escaped HTML with `tok-*` classes (CodeMirror's parsers)

import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from "@codemirror/autocomplete";
import { defaultKeymap, indentWithTab } from "@codemirror/commands";
import { css } from "@codemirror/lang-css";
import { html } from "@codemirror/lang-html";
import { javascript } from "@codemirror/lang-javascript";
import { json } from "@codemirror/lang-json";
import { markdown } from "@codemirror/lang-markdown";
import { vue } from "@codemirror/lang-vue";
import {
  bracketMatching,
  defaultHighlightStyle,
  foldGutter,
  foldKeymap,
  indentOnInput,
  syntaxHighlighting,
} from "@codemirror/language";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { EditorState } from "@codemirror/state";
import {
  crosshairCursor,
  drawSelection,
  dropCursor,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  rectangularSelection,
} from "@codemirror/view";
import { classHighlighter, highlightTree } from "@lezer/highlight";
import { svelte } from "@replit/codemirror-lang-svelte";
import DOMPurify from "dompurify";
import { Marked } from "marked";
import { yCollab, yUndoManagerKeymap } from "y-codemirror.next";

export * as Y from "yjs";
export * as encoding from "lib0/encoding";
export * as decoding from "lib0/decoding";
export {
  messageYjsSyncStep1,
  messageYjsSyncStep2,
  messageYjsUpdate,
  readSyncMessage,
  writeSyncStep1,
  writeSyncStep2,
  writeUpdate,
} from "y-protocols/sync";
export {
  Awareness,
  applyAwarenessUpdate,
  encodeAwarenessUpdate,
  removeAwarenessStates,
} from "y-protocols/awareness";
export { Compartment, EditorState } from "@codemirror/state";
export { EditorView, keymap, placeholder } from "@codemirror/view";
export { yCollab, yUndoManagerKeymap } from "y-codemirror.next";

/** y-websocket's frame types: a frame is varuint(type) then the payload (y-protocols leaves these out). */
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;

/** CodeMirror's basicSetup less `history()`: in a shared file Y.UndoManager undoes (see collab()),
 * so that undo takes back only this tab's own edits. */
export const editorSetup = [
  lineNumbers(),
  highlightActiveLineGutter(),
  highlightSpecialChars(),
  foldGutter(),
  drawSelection(),
  dropCursor(),
  EditorState.allowMultipleSelections.of(true),
  indentOnInput(),
  syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
  bracketMatching(),
  closeBrackets(),
  autocompletion(),
  rectangularSelection(),
  crosshairCursor(),
  highlightActiveLine(),
  highlightSelectionMatches(),
  keymap.of([
    ...closeBracketsKeymap,
    ...defaultKeymap,
    ...searchKeymap,
    ...foldKeymap,
    ...completionKeymap,
    indentWithTab,
  ]),
];

/** A view bound to `ytext`: edits go both ways, `awareness` (or null) shows the others' cursors,
 * and Mod-z / Mod-y / Mod-Shift-z undo and redo this tab's edits. `options` go to yCollab. */
export function collab(ytext, awareness, options) {
  return [yCollab(ytext, awareness, options), keymap.of(yUndoManagerKeymap)];
}

// Language kinds by file extension and by the names a Markdown code fence uses.
const KIND_BY_NAME = {
  js: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  javascript: "javascript",
  jsx: "jsx",
  ts: "typescript",
  mts: "typescript",
  cts: "typescript",
  typescript: "typescript",
  tsx: "tsx",
  css: "css",
  html: "html",
  htm: "html",
  json: "json",
  md: "markdown",
  markdown: "markdown",
  vue: "vue",
  svelte: "svelte",
};

const MAKERS = {
  javascript: () => javascript(),
  jsx: () => javascript({ jsx: true }),
  typescript: () => javascript({ typescript: true }),
  tsx: () => javascript({ jsx: true, typescript: true }),
  css: () => css(),
  html: () => html(),
  json: () => json(),
  // Fenced code inside a Markdown file is highlighted with the same table.
  markdown: () => markdown({ codeLanguages: (info) => supportFor(info)?.language ?? null }),
  vue: () => vue(),
  svelte: () => svelte(),
};

const supports = new Map(); // kind -> LanguageSupport, made on first use and shared by every view

function supportFor(name) {
  const kind = KIND_BY_NAME[String(name).trim().toLowerCase()];
  if (kind === undefined) return null;
  if (!supports.has(kind)) supports.set(kind, MAKERS[kind]());
  return supports.get(kind);
}

/** The language extension for a file path ("src/App.tsx"), or [] (plain text) when it has none. */
export function languageFor(path) {
  const name = String(path).split("/").pop();
  const dot = name.lastIndexOf(".");
  return (dot > 0 && supportFor(name.slice(dot + 1))) || [];
}

const HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** `code` as HTML: escaped text in `<span class="tok-…">` (@lezer/highlight's classHighlighter)
 * when `language` ("ts", "html", "vue", a file extension) is known, else only escaped. */
export function highlightCode(code, language) {
  const text = String(code);
  const support = language ? supportFor(language) : null;
  if (support === null) return escapeHtml(text);
  let out = "";
  let pos = 0;
  highlightTree(support.language.parser.parse(text), classHighlighter, (from, to, classes) => {
    if (from > pos) out += escapeHtml(text.slice(pos, from));
    out += `<span class="${escapeHtml(classes)}">${escapeHtml(text.slice(from, to))}</span>`;
    pos = to;
  });
  return out + escapeHtml(text.slice(pos));
}

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    code({ text, lang }) {
      const language = (lang ?? "").match(/^\S*/)[0];
      const label = language ? ` class="language-${escapeHtml(language)}"` : "";
      return `<pre><code${label}>${highlightCode(text, language)}</code></pre>\n`;
    },
  },
});

// The page's policy has no 'unsafe-inline' styles, and a reply is no place for a form.
const SANITIZE = { FORBID_TAGS: ["style", "form"], FORBID_ATTR: ["style"] };

/** Markdown (GitHub flavour) as HTML that is safe to assign to innerHTML: no scripts, no event
 * handlers, no javascript: links. Needs a DOM (DOMPurify), so it runs in the page only. */
export function renderMarkdown(text) {
  return DOMPurify.sanitize(marked.parse(String(text)), SANITIZE);
}
