"""The changes the offline demo model knows how to make to the apps it builds, each with the
editFile tool as a model would: a new accent colour, a dark-mode toggle, a new title, a due date
on the to-do items. It reads the files first, then edits what it read; anything else it declines
(offline.py).

The apps share one stylesheet (offline_templates/style.css), in the root `index.html` and in the
framework's own stylesheet, so the edits look for its lines rather than for one framework's file.
"""

from __future__ import annotations

import html
import re
from typing import NamedTuple

from workers.agent.model import ToolCall
from workers.providers.offline_apps import js_string

ACCENTS: dict[str, tuple[str, str]] = {
    "red": ("#b91c1c", "#7f1d1d"),
    "orange": ("#c2410c", "#7c2d12"),
    "green": ("#15803d", "#14532d"),
    "teal": ("#0f766e", "#134e4a"),
    "blue": ("#1d4ed8", "#1e3a8a"),
    "indigo": ("#4338ca", "#312e81"),
    "purple": ("#7e22ce", "#581c87"),
    "pink": ("#be185d", "#831843"),
}
ACCENT_LINE = re.compile(r"--accent: #[0-9a-fA-F]{3,6};")
ACCENT_DARK_LINE = re.compile(r"--accent-dark: #[0-9a-fA-F]{3,6};")
STYLE_FILES = ("index.html", "app/globals.css", "src/styles.css")
"""Where the apps' stylesheet lives: inline in the root page, and the framework's own file."""
TITLE_TAG = re.compile(r"<title>([^<]*)</title>")
DARK_MARK = "/* dark mode */"
DARK_STYLE = f"""
{DARK_MARK}
:root[data-theme="dark"] {{
  color-scheme: dark;
  --ink: #f3f4f6;
  --muted: #9ca3af;
  --line: #374151;
  --surface: #1f2937;
  --page: #111827;
}}
.theme-toggle {{
  position: fixed;
  top: 1rem;
  right: 1rem;
}}
"""
DARK_TOGGLE = """    <script>
      // The dark-mode toggle: remembers the choice in this browser.
      const root = document.documentElement;
      root.dataset.theme = localStorage.getItem("theme") || "light";
      const toggle = document.createElement("button");
      toggle.className = "theme-toggle";
      toggle.type = "button";
      const label = () => (toggle.textContent = root.dataset.theme === "dark" ? "Light mode" : "Dark mode");
      toggle.addEventListener("click", () => {
        root.dataset.theme = root.dataset.theme === "dark" ? "light" : "dark";
        localStorage.setItem("theme", root.dataset.theme);
        label();
      });
      label();
      document.body.append(toggle);
    </script>
  </body>"""

_ACCENT_REQUEST = re.compile(
    r"\b(?:colou?r|accent|theme)\b.*?\b("
    + "|".join(ACCENTS)
    + r")\b|\bmake (?:it|the app) ("
    + "|".join(ACCENTS)
    + r")\b",
    re.IGNORECASE,
)
_DARK_REQUEST = re.compile(r"\bdark[- ]?(?:mode|theme)\b", re.IGNORECASE)
_DUE_REQUEST = re.compile(r"\b(?:due[- ]dates?|deadlines?)\b", re.IGNORECASE)
_QUOTES = "\"'\u201c\u201d\u2018\u2019"
_RENAME_REQUEST = re.compile(
    r"\b(?:rename|retitle|call|name|title)\b.*?\b(?:to|it|as)\s+"
    rf"[{_QUOTES}]?(?P<title>[^{_QUOTES}\n]{{1,60}}?)[{_QUOTES}]?\s*[.!]?$",
    re.IGNORECASE,
)


class Edit(NamedTuple):
    kind: str
    """"accent", "dark", "rename" or "due"."""
    value: str
    """The colour's name or the new title ("" for dark mode)."""

    @property
    def title(self) -> str:
        """The version's short title."""
        if self.kind == "accent":
            return f"Accent colour {self.value}"
        if self.kind == "dark":
            return "Dark-mode toggle"
        if self.kind == "due":
            return "Due dates on to-dos"
        return f"Renamed to {self.value}"


def edit_of(prompt: str) -> Edit | None:
    """The change a follow-up asks for, if it is one the offline model can make."""
    if _DARK_REQUEST.search(prompt):
        return Edit("dark", "")
    if _DUE_REQUEST.search(prompt):
        return Edit("due", "")
    if accent := _ACCENT_REQUEST.search(prompt):
        return Edit("accent", (accent.group(1) or accent.group(2)).lower())
    if rename := _RENAME_REQUEST.search(prompt.strip()):
        return Edit("rename", rename.group("title").strip())
    return None


def files_to_read(edit: Edit, existing: list[str]) -> list[str]:
    """What to read before editing: the stylesheets, and for a new title every file that may
    show the old one."""
    if edit.kind not in ("rename", "due"):
        return [p for p in STYLE_FILES if p in existing]
    return [p for p in existing if p.endswith((".html", ".tsx", ".jsx", ".vue", ".svelte", ".ts", ".js"))]


def read_files(tool_result: str) -> dict[str, str]:
    """The files a readFiles answer holds: `--- path`, a line break and the content, each; the
    answers are joined with a line break, which is not the file's."""
    files: dict[str, str] = {}
    parts = re.split(r"^--- ", tool_result, flags=re.MULTILINE)[1:]
    for index, part in enumerate(parts):
        path, _, content = part.partition("\n")
        if index < len(parts) - 1:
            content = content.removesuffix("\n")
        if content != "(does not exist)":
            files[path.strip()] = content
    return files


def edits_for(edit: Edit, files: dict[str, str]) -> list[ToolCall]:
    """The editFile calls that make the change in the files read; none when nothing fits."""
    if edit.kind == "accent":
        changes = [c for path, content in files.items() for c in _accent(edit.value, path, content)]
    elif edit.kind == "dark":
        changes = [c for path, content in files.items() for c in _dark(path, content)]
    elif edit.kind == "due":
        changes = [c for path, content in files.items() for c in _due_date(path, content)]
    else:
        changes = _rename(edit.value, files)
    return [
        ToolCall(id=f"offline_edit_{n}", name="editFile", input={"path": p, "search": s, "replace": r})
        for n, (p, s, r) in enumerate(changes)
    ]


Change = tuple[str, str, str]
"""(path, search, replace): one editFile call."""


def _accent(colour: str, path: str, content: str) -> list[Change]:
    accent, dark = ACCENTS[colour]
    changes = []
    for pattern, wanted in (
        (ACCENT_LINE, f"--accent: {accent};"),
        (ACCENT_DARK_LINE, f"--accent-dark: {dark};"),
    ):
        found = pattern.search(content)
        if found is not None and found.group(0) != wanted:
            changes.append((path, found.group(0), wanted))
    return changes


def _dark(path: str, content: str) -> list[Change]:
    """Dark colours under `:root[data-theme="dark"]`, after the `:root` block; and in the root
    page, the toggle that sets it."""
    if DARK_MARK in content or "--danger:" not in content:
        return []
    start = content.index("  --danger:")
    block_end = content.index("}", start) + 1
    changes = [(path, content[start:block_end], content[start:block_end] + DARK_STYLE)]
    if path == "index.html" and content.count("  </body>") == 1:
        changes.append((path, "  </body>", DARK_TOGGLE))
    return changes


def _rename(new: str, files: dict[str, str]) -> list[Change]:
    """Every place the app shows its title, taken from the root page's `<title>`: the tag itself
    and the title as a string in the code (the headline, the layout's metadata)."""
    page = files.get("index.html", "")
    found = TITLE_TAG.search(page)
    if found is None or not found.group(1) or found.group(1) == html.escape(new):
        return []
    old = html.unescape(found.group(1))
    forms = (
        (f"<title>{html.escape(old)}</title>", f"<title>{html.escape(new)}</title>"),
        (js_string(old), js_string(new)),
    )
    return [
        (path, search, replace)
        for path, content in files.items()
        for search, replace in forms
        if content.count(search) == 1
    ]


NEW_TODO = "{ id, text, done: false }"
"""How every framework's to-do app adds an item (offline_templates/todo/)."""


def _due_date(path: str, content: str) -> list[Change]:
    """A date input beside the new task's, read when the task is added, and shown after it. The
    input is read from the page when the task is added, which every framework allows alike."""
    if content.count(NEW_TODO) != 1:
        return []
    typed = path.endswith((".ts", ".tsx"))
    read = (
        '(document.getElementById("new-due") as HTMLInputElement | null)?.value ?? ""'
        if typed
        else 'document.getElementById("new-due")?.value ?? ""'
    )
    shown = 'todo.due ? ` · due ${todo.due}` : ""'
    candidates = [
        (NEW_TODO, f"{{ id, text, done: false, due: {read} }}"),
        ("done: boolean };", "done: boolean; due?: string };"),
        (
            '<button type="submit">Add</button>',
            '<input id="new-due" type="date" aria-label="Due date" />\n'
            '          <button type="submit">Add</button>',
        ),
        ("<span>{todo.text}</span>", f"<span>{{todo.text}}{{{shown}}}</span>"),
        (
            "<span>{{ todo.text }}</span>",
            "<span>{{ todo.text }}{{ todo.due ? ' · due ' + todo.due : '' }}</span>"
            if typed
            else f"<span>{{{{ todo.text }}}}{{{{ {shown} }}}}</span>",
        ),
        (
            'h("input", { id: "new-task", placeholder: "What needs doing?", autocomplete: "off" }),',
            'h("input", { id: "new-task", placeholder: "What needs doing?", autocomplete: "off" }),\n'
            '            h("input", { id: "new-due", type: "date", "aria-label": "Due date" }),',
        ),
        ('h("span", {}, todo.text),', f'h("span", {{}}, todo.text, {shown}),'),
    ]
    return [(path, search, replace) for search, replace in candidates if content.count(search) == 1]
