"""The offline provider's apps: the right kind for the prompt, real projects, a static preview."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from domain.enums import Framework
from domain.rules.files import path_error
from workers.providers.offline_apps import build_app, headline_of
from workers.sandboxes.base import DEV_SERVER_PORTS

KINDS = ("todo", "counter", "notes", "landing")
PROMPT_OF_KIND = {
    "todo": "Build me a to-do list app",
    "counter": "a counter",
    "notes": "a notes app",
    "landing": "a landing page for my bakery",
}
ENTRY_FILES = {
    Framework.NEXTJS: {"app/layout.tsx", "app/page.tsx", "tsconfig.json"},
    Framework.ANGULAR: {"angular.json", "tsconfig.json", "src/index.html", "src/main.ts", "src/app/app.ts"},
    Framework.REACT: {"vite.config.js", "src/main.jsx", "src/App.jsx"},
    Framework.VUE: {"vite.config.js", "src/main.js", "src/App.vue"},
    Framework.SVELTE: {"vite.config.js", "src/main.js", "src/App.svelte"},
}
COMPONENTS = {
    Framework.NEXTJS: "app/page.tsx",
    Framework.ANGULAR: "src/app/app.ts",
    Framework.REACT: "src/App.jsx",
    Framework.VUE: "src/App.vue",
    Framework.SVELTE: "src/App.svelte",
}
VITE_ENTRIES = {
    Framework.REACT: "src/main.jsx",
    Framework.VUE: "src/main.js",
    Framework.SVELTE: "src/main.js",
}
INLINE_SCRIPT = re.compile(r"<script type=\"module\">\n(.*?)</script>", re.DOTALL)
EVERY_APP = [(framework, kind) for framework in Framework for kind in KINDS]


def _app_files(framework: Framework, kind: str) -> dict[str, str]:
    return build_app(PROMPT_OF_KIND[kind], framework).files


@pytest.mark.parametrize(
    ("prompt", "kind"),
    [
        ("Build me a to-do list", "todo"),
        ("a TODO app for groceries", "todo"),
        ("something to track my tasks", "todo"),
        ("a packing checklist", "todo"),
        ("a Counter with big buttons", "counter"),
        ("a cookie clicker", "counter"),
        ("somewhere to keep my notes", "notes"),
        ("a daily journal", "notes"),
        ("voice memo list", "notes"),
        ("a landing page for my bakery", "landing"),
        ("", "landing"),
    ],
)
def test_the_kind_follows_the_prompts_keywords(prompt: str, kind: str) -> None:
    assert build_app(prompt, Framework.REACT).kind == kind


@pytest.mark.parametrize("framework", list(Framework))
def test_the_same_prompt_and_framework_give_the_same_app(framework: Framework) -> None:
    assert build_app("a notes app", framework) == build_app("a notes app", framework)


@pytest.mark.parametrize(
    ("prompt", "headline"),
    [
        ("Please build me a landing page for my bakery.", "My bakery"),
        ("a website about Sweet Crumbs", "Sweet Crumbs"),
        ("portfolio site", "Welcome"),
        ("hello world", "Hello world"),
        ("   ", "Welcome"),
    ],
)
def test_the_landing_pages_headline_is_the_prompts_subject(prompt: str, headline: str) -> None:
    assert headline_of(prompt) == headline


def test_a_long_headline_is_cut_at_a_word() -> None:
    headline = headline_of("a page for " + "wonderful " * 20)

    assert len(headline) <= 61
    assert headline.endswith("wonderful…")


@pytest.mark.parametrize("framework", list(Framework))
def test_the_headline_cannot_break_out_of_the_code_it_is_written_into(framework: Framework) -> None:
    app = build_app('a page for "Quotes" </script><script>alert(1)</script>', framework)

    assert app.title == '"Quotes" </script><script>alert(1)</script>'
    assert not any("<script>alert" in content for content in app.files.values())
    assert "<title>&quot;Quotes&quot; &lt;/script&gt;" in app.files["index.html"]


@pytest.mark.parametrize(("framework", "kind"), EVERY_APP)
def test_the_dev_script_listens_on_the_frameworks_port(framework: Framework, kind: str) -> None:
    package = json.loads(_app_files(framework, kind)["package.json"])

    dev = package["scripts"]["dev"]
    assert str(DEV_SERVER_PORTS[framework]) in dev.split()
    assert "0.0.0.0" in dev.split()


@pytest.mark.parametrize(("framework", "kind"), EVERY_APP)
def test_the_project_has_its_frameworks_entry_files(framework: Framework, kind: str) -> None:
    files = _app_files(framework, kind)

    assert ENTRY_FILES[framework] <= set(files)
    assert 5 <= len(files) <= 10


@pytest.mark.parametrize(("framework", "kind"), EVERY_APP)
def test_the_static_page_makes_no_outside_request(framework: Framework, kind: str) -> None:
    page = _app_files(framework, kind)["index.html"]

    assert "http://" not in page
    assert "https://" not in page
    assert "cdn" not in page.lower()
    references = re.findall(r"""(?:src|href)=["']([^"']*)""", page)
    vite_entry = [f"/{VITE_ENTRIES[framework]}"] if framework in VITE_ENTRIES else []
    assert references == vite_entry


@pytest.mark.parametrize("framework", list(VITE_ENTRIES))
def test_the_vite_entry_mounts_on_the_element_the_page_provides(framework: Framework) -> None:
    files = _app_files(framework, "todo")
    page, entry = files["index.html"], files[VITE_ENTRIES[framework]]

    mount_id = re.search(r'<div id="(\w+)"></div>', page)
    assert mount_id is not None
    assert f'<script type="module" src="/{VITE_ENTRIES[framework]}"></script>' in page
    assert re.search(rf"""getElementById\("{mount_id[1]}"\)|"#{mount_id[1]}\"""", entry)


@pytest.mark.parametrize(("framework", "kind"), EVERY_APP)
def test_every_path_is_relative_and_stays_inside_the_project(framework: Framework, kind: str) -> None:
    assert [path for path in _app_files(framework, kind) if path_error(path) is not None] == []


@pytest.mark.parametrize("kind", KINDS)
def test_the_nextjs_page_is_a_client_component(kind: str) -> None:
    assert _app_files(Framework.NEXTJS, kind)["app/page.tsx"].startswith('"use client";')


@pytest.mark.parametrize(("framework", "kind"), [(f, k) for f in Framework for k in ("todo", "notes")])
def test_the_app_and_its_static_page_keep_their_list_in_storage(framework: Framework, kind: str) -> None:
    files = _app_files(framework, kind)

    assert "localStorage.setItem" in files[COMPONENTS[framework]]
    assert "localStorage.setItem" in files["index.html"]


@pytest.mark.parametrize("framework", list(Framework))
def test_the_summary_lists_every_file(framework: Framework) -> None:
    app = build_app("a to-do list", framework)

    assert [path for path in app.files if f"`{path}`" not in app.summary] == []


def test_the_intro_names_the_app_and_the_framework() -> None:
    app = build_app("a to-do list", Framework.VUE)

    assert app.intro.startswith("I'll build a to-do list with Vue and Vite: ")


def test_the_javascript_parses() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed: `node --check` cannot parse the apps' JavaScript")
    # Each distinct file once (apps share vite.config.js, say), as an ES module. The inline scripts,
    # which import nothing, go into one module as blocks of their own: a Node.js start costs ~0.1 s.
    modules: dict[str, str] = {}
    inline_scripts: dict[str, str] = {}
    for framework, kind in EVERY_APP:
        for path, content in _app_files(framework, kind).items():
            if path.endswith((".js", ".mjs")):
                modules.setdefault(content, f"{framework}/{kind}/{path}")
            for script in INLINE_SCRIPT.findall(content):
                inline_scripts.setdefault(script, f"{framework}/{kind}/{path}")
    modules["".join(f"{{\n{script}\n}}\n" for script in inline_scripts)] = "the inline scripts"

    with tempfile.TemporaryDirectory() as folder:
        checks = []
        for index, (source, name) in enumerate(modules.items()):
            module = Path(folder) / f"{index}.mjs"
            module.write_text(source)
            check = subprocess.Popen([node, "--check", module], stderr=subprocess.PIPE, text=True)
            checks.append((name, check))
        failures = [f"{name}: {check.communicate()[1]}" for name, check in checks if check.wait() != 0]

    assert failures == []
