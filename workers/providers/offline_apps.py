"""The apps the offline provider builds: small but real projects, one kind of app per prompt.

Each app is a project of the chosen framework (package.json whose `dev` script serves on the
framework's port, its configuration, entry and one component holding the app) plus a root
`index.html` that shows the same app from a plain static file server: the local sandbox serves a
project's files that way when it cannot run the dev server. For the Vite frameworks that page is
also Vite's entry page, and its inline fallback draws the app only when the framework did not.

The apps' code lives in `offline_templates/`: one folder per kind holding the component of each
framework and the vanilla JavaScript of the static page (one source per kind, shared by every
framework), plus the stylesheet all of them use so they look the same. This module chooses the
kind, fills in the landing page's headline and builds the project around the component.
"""

from __future__ import annotations

import html
import json
import re
from functools import cache
from importlib.resources import files

import msgspec

from domain.enums import Framework
from workers.sandboxes.base import DEV_SERVER_PORTS

TEMPLATES = files("workers.providers") / "offline_templates"
HEADLINE_TOKEN = '"__HEADLINE__"'
"""Stands, as a JavaScript string literal, for the landing page's headline in its templates."""
HEADLINE_MAX_CHARS = 60

KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("todo", re.compile(r"\b(?:to-?dos?|tasks?|checklists?)\b", re.IGNORECASE)),
    ("counter", re.compile(r"\b(?:counters?|clickers?)\b", re.IGNORECASE)),
    ("notes", re.compile(r"\b(?:notes?|journals?|memos?)\b", re.IGNORECASE)),
)
LANDING = "landing"

# What a prompt for a landing page says before its subject: "please build me a landing page for …".
REQUEST_OPENING = re.compile(
    r"^(?:(?:please|can you|could you|would you|i want|i need|i'd like|we want|we need)\s+)*"
    r"(?:(?:build|create|make|design|generate|write|give)\s+(?:me\s+|us\s+)?)?"
    r"(?:(?:a|an|the)\s+)?",
    re.IGNORECASE,
)
PAGE_SUBJECT = re.compile(
    r"\b(?:landing\s*page|home\s*page|web\s*page|web\s*site|site|page)\s+(?:for|about|of)\s+(.+)$",
    re.IGNORECASE,
)
PAGE_ONLY = re.compile(
    r"^(?:[\w-]+\s+)?(?:landing\s*page|home\s*page|web\s*page|web\s*site|site|page)$", re.IGNORECASE
)

FRAMEWORK_NAMES = {
    Framework.NEXTJS: "Next.js",
    Framework.ANGULAR: "Angular",
    Framework.REACT: "React and Vite",
    Framework.VUE: "Vue and Vite",
    Framework.SVELTE: "Svelte and Vite",
}
VITE_FRAMEWORKS = frozenset({Framework.REACT, Framework.VUE, Framework.SVELTE})


class OfflineApp(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    """"todo", "counter", "notes" or "landing"."""
    title: str
    files: dict[str, str]
    """Relative path -> content."""
    intro: str
    """What the assistant says before it writes the files."""
    summary: str
    """The closing summary, in Markdown."""


class AppKind(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    title: str | None
    """None: the title is the headline taken from the prompt."""
    description: str
    """How the assistant names the app; `{title}` stands for its title."""
    pitch: str
    """What the user will be able to do, as the end of the intro's sentence."""
    features: tuple[str, ...]
    vanilla_helpers: tuple[str, ...]
    """The shared vanilla helpers its static page needs, from `offline_templates/vanilla/`."""


KINDS = {
    "todo": AppKind(
        name="todo",
        title="To-do list",
        description="a to-do list",
        pitch="you can add tasks, tick them off, filter and delete them, and they stay saved in the browser.",
        features=(
            "Add tasks and tick them off when they are done",
            "Filter the list by all, active or done, with a count of the tasks left",
            "Delete the tasks you no longer need",
            "The list is kept in `localStorage`, so it survives a reload",
        ),
        vanilla_helpers=("dom.js", "storage.js"),
    ),
    "counter": AppKind(
        name="counter",
        title="Counter",
        description="a counter",
        pitch="you can increase, decrease and reset the count.",
        features=(
            "Increase and decrease the count",
            "Reset it to zero",
            "Screen readers announce the new count",
        ),
        vanilla_helpers=("dom.js",),
    ),
    "notes": AppKind(
        name="notes",
        title="Notes",
        description="a notes app",
        pitch="you can write notes, edit and delete them, and they stay saved in the browser.",
        features=(
            "Write notes and add them to the list, newest first",
            "Edit a note in place, or delete it",
            "The notes are kept in `localStorage`, so they survive a reload",
        ),
        vanilla_helpers=("dom.js", "storage.js"),
    ),
    LANDING: AppKind(
        name=LANDING,
        title=None,
        description="a landing page for “{title}”",
        pitch=(
            "a headline taken from your request, three highlights "
            "and a sign-up form that thanks each visitor."
        ),
        features=(
            "A headline taken from your request, with a short lead",
            "Three highlights in a responsive grid",
            "A sign-up form that checks the email address and thanks the visitor",
        ),
        vanilla_helpers=("dom.js",),
    ),
}


def build_app(prompt: str, framework: Framework) -> OfflineApp:
    """The app for `prompt` in `framework`; the same inputs always give the same app."""
    kind = KINDS[kind_of(prompt)]
    title = kind.title or headline_of(prompt)
    description = kind.description.format(title=title)
    app_files = _project_files(framework, kind, title)
    return OfflineApp(
        kind=kind.name,
        title=title,
        files=app_files,
        intro=(
            f"I'll build {description} with {FRAMEWORK_NAMES[framework]}: {kind.pitch} "
            "The project also gets a plain `index.html` with the same app, so it can be previewed "
            "without a dev server."
        ),
        summary=_summary(framework, kind, description, app_files),
    )


def kind_of(prompt: str) -> str:
    """The first kind whose keywords the prompt mentions, else a landing page."""
    return next((kind for kind, pattern in KIND_PATTERNS if pattern.search(prompt)), LANDING)


def headline_of(prompt: str) -> str:
    """The landing page's headline: the prompt's subject ("a website for my bakery" gives "My bakery")."""
    text = " ".join(prompt.split()).strip(" .!?")
    text = REQUEST_OPENING.sub("", text, count=1)
    if subject := PAGE_SUBJECT.search(text):
        text = subject.group(1)
    elif PAGE_ONLY.match(text):
        text = ""
    if len(text) > HEADLINE_MAX_CHARS:
        text = text[: HEADLINE_MAX_CHARS + 1].rsplit(" ", 1)[0].rstrip(" ,;:-") + "…"
    return text[:1].upper() + text[1:] if text else "Welcome"


@cache
def _template(path: str) -> str:
    return (TEMPLATES / path).read_text(encoding="utf-8")


def _component(kind: AppKind, template_name: str, headline: str) -> str:
    return _template(f"{kind.name}/{template_name}").replace(HEADLINE_TOKEN, js_string(headline))


def js_string(text: str) -> str:
    """A JavaScript string literal that is also safe inside an HTML <script> element."""
    return json.dumps(text, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


def _project_files(framework: Framework, kind: AppKind, title: str) -> dict[str, str]:
    style = _template("style.css")
    package_name = f"{kind.name}-app"
    if framework == Framework.NEXTJS:
        return {
            "package.json": _nextjs_package(package_name),
            "tsconfig.json": _json(NEXTJS_TSCONFIG),
            "next.config.mjs": NEXTJS_CONFIG,
            "index.html": _static_page(kind, title, mount_id="app", vite_entry=None),
            "app/layout.tsx": NEXTJS_LAYOUT.replace("__TITLE__", js_string(title)),
            "app/page.tsx": _component(kind, "page.tsx", title),
            "app/globals.css": style,
            ".gitignore": GITIGNORE + ".next/\nnext-env.d.ts\n",
        }
    if framework == Framework.ANGULAR:
        return {
            "package.json": _angular_package(package_name),
            "angular.json": _json(ANGULAR_WORKSPACE),
            "tsconfig.json": _json(ANGULAR_TSCONFIG),
            "index.html": _static_page(kind, title, mount_id="app", vite_entry=None),
            "src/index.html": ANGULAR_INDEX.replace("__TITLE__", html.escape(title)),
            "src/main.ts": ANGULAR_MAIN,
            "src/app/app.ts": _component(kind, "app.ts", title),
            "src/styles.css": style,
            ".gitignore": GITIGNORE + ".angular/\n",
        }
    vite = VITE_SETUPS[framework]
    svelte_config = {"svelte.config.js": SVELTE_CONFIG} if framework == Framework.SVELTE else {}
    return {
        "package.json": _vite_package(package_name, framework, vite),
        "vite.config.js": _vite_config(vite),
        **svelte_config,
        "index.html": _static_page(kind, title, mount_id=vite.mount_id, vite_entry=vite.entry),
        vite.entry: vite.main,
        f"src/{vite.component}": _component(kind, vite.component, title),
        "src/styles.css": style,
        ".gitignore": GITIGNORE,
    }


def _static_page(kind: AppKind, title: str, mount_id: str, vite_entry: str | None) -> str:
    """The app as one self-contained page: inline style and vanilla JavaScript, relative URLs only."""
    script = "\n".join(
        [
            *(_template(f"vanilla/{helper}") for helper in kind.vanilla_helpers),
            _component(kind, "vanilla.js", title),
            f'const mount = document.getElementById("{mount_id}");',
            "if (!mount.hasChildNodes()) startApp(mount);" if vite_entry else "startApp(mount);",
        ]
    )
    vite_script = (
        f"""<!-- Vite serves the framework's app from src/, mounted before the script below runs;
         served as plain files, the entry cannot load and the script draws the same app. -->
    <script type="module" src="/{vite_entry}"></script>
    """
        if vite_entry
        else ""
    )
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>{html.escape(title)}</title>
    <style>
{_template("style.css")}    </style>
  </head>
  <body>
    <div id="{mount_id}"></div>
    {vite_script}<script type="module">
{script}
    </script>
  </body>
</html>
"""


def _summary(framework: Framework, kind: AppKind, description: str, app_files: dict[str, str]) -> str:
    port = DEV_SERVER_PORTS[framework]
    features = "\n".join(f"- {feature}" for feature in kind.features)
    listing = "\n".join(f"- `{path}`: {_role_of(path, framework)}" for path in app_files)
    return (
        f"{kind.title or 'Landing page'} in {FRAMEWORK_NAMES[framework]}\n\n"
        f"Built {description} with {FRAMEWORK_NAMES[framework]}. Run `npm install` and then "
        f"`npm run dev` to serve it on port {port}; the root `index.html` shows the same app "
        "without a build.\n\n"
        f"**Features**\n{features}\n\n"
        f"**Files**\n{listing}"
    )


def _role_of(path: str, framework: Framework) -> str:
    if path == "index.html":
        if framework in VITE_FRAMEWORKS:
            return "Vite's entry page, which also shows the app when served as plain files"
        return "the same app as one static page, for previews without a dev server"
    return FILE_ROLES[path]


FILE_ROLES = {
    "package.json": "dependencies and the `dev` script",
    "tsconfig.json": "TypeScript settings",
    "next.config.mjs": "Next.js settings (lets the preview's host reach the dev server)",
    "app/layout.tsx": "the root layout and page title",
    "app/page.tsx": "the app, a client component",
    "app/globals.css": "the styles",
    "angular.json": "the Angular workspace (build and dev server)",
    "src/index.html": "the page Angular renders into",
    "src/main.ts": "starts the app",
    "src/app/app.ts": "the app, a standalone component",
    "vite.config.js": "Vite and its framework plugin",
    "svelte.config.js": "Svelte settings (runes mode)",
    "src/main.jsx": "mounts the app",
    "src/main.js": "mounts the app",
    "src/App.jsx": "the app component",
    "src/App.vue": "the app component",
    "src/App.svelte": "the app component",
    "src/styles.css": "the styles",
    ".gitignore": "keeps dependencies and build output out of version control",
}


def _json(value: object) -> str:
    return json.dumps(value, indent=2) + "\n"


def _package(
    name: str,
    scripts: dict[str, str],
    dependencies: dict[str, str],
    dev_dependencies: dict[str, str],
    es_module: bool = False,
) -> str:
    module_type = {"type": "module"} if es_module else {}
    return _json(
        {
            "name": name,
            "version": "0.1.0",
            "private": True,
            **module_type,
            "scripts": scripts,
            "dependencies": dependencies,
            "devDependencies": dev_dependencies,
        }
    )


def _nextjs_package(name: str) -> str:
    port = DEV_SERVER_PORTS[Framework.NEXTJS]
    return _package(
        name,
        {"dev": f"next dev -H 0.0.0.0 -p {port}", "build": "next build", "start": "next start"},
        {"next": "^16.0.0", "react": "^19.2.0", "react-dom": "^19.2.0"},
        {
            "@types/node": "^22.0.0",
            "@types/react": "^19.2.0",
            "@types/react-dom": "^19.2.0",
            "typescript": "^5.9.0",
        },
    )


def _angular_package(name: str) -> str:
    port = DEV_SERVER_PORTS[Framework.ANGULAR]
    # 21 rather than 22: it still runs on Node.js 20, which sandboxes and hosts may have.
    angular = "^21.0.0"
    return _package(
        name,
        {"dev": f"ng serve --host 0.0.0.0 --port {port}", "build": "ng build"},
        {
            "@angular/common": angular,
            "@angular/compiler": angular,
            "@angular/core": angular,
            "@angular/forms": angular,
            "@angular/platform-browser": angular,
            "rxjs": "^7.8.0",
            "tslib": "^2.8.0",
        },
        {
            "@angular/build": angular,
            "@angular/cli": angular,
            "@angular/compiler-cli": angular,
            "typescript": "~5.9.0",
        },
    )


def _vite_package(name: str, framework: Framework, vite: ViteSetup) -> str:
    port = DEV_SERVER_PORTS[framework]
    return _package(
        name,
        {"dev": f"vite --host 0.0.0.0 --port {port}", "build": "vite build", "preview": "vite preview"},
        vite.dependencies,
        {**vite.plugin, "vite": "^8.0.0"},
        es_module=True,
    )


def _vite_config(vite: ViteSetup) -> str:
    return f"""{vite.plugin_import}
import {{ defineConfig }} from "vite";

// The preview reaches the dev server under the sandbox's host name, not localhost.
export default defineConfig({{
  plugins: [{vite.plugin_call}],
  server: {{ allowedHosts: true }},
}});
"""


GITIGNORE = "node_modules/\ndist/\n"

NEXTJS_TSCONFIG = {
    "compilerOptions": {
        "target": "ES2017",
        "lib": ["dom", "dom.iterable", "esnext"],
        "allowJs": True,
        "skipLibCheck": True,
        "strict": True,
        "noEmit": True,
        "esModuleInterop": True,
        "module": "esnext",
        "moduleResolution": "bundler",
        "resolveJsonModule": True,
        "isolatedModules": True,
        "jsx": "react-jsx",
        "incremental": True,
        "plugins": [{"name": "next"}],
    },
    "include": ["next-env.d.ts", "**/*.ts", "**/*.tsx", ".next/types/**/*.ts", ".next/dev/types/**/*.ts"],
    "exclude": ["node_modules"],
}

NEXTJS_CONFIG = """/** @type {import("next").NextConfig} */
const nextConfig = {
  // The preview opens the dev server under the sandbox's host name, not localhost, and Next.js
  // refuses its dev resources (scripts, hot reload) to other hosts. "**.*" allows every host name
  // with a dot in it, as `allowedHosts: true` does for Vite and Angular.
  allowedDevOrigins: ["**.*"],
};

export default nextConfig;
"""

NEXTJS_LAYOUT = """import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = { title: __TITLE__ };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
"""

ANGULAR_WORKSPACE = {
    "$schema": "./node_modules/@angular/cli/lib/config/schema.json",
    "version": 1,
    "cli": {"analytics": False},
    "projects": {
        "app": {
            "projectType": "application",
            "root": "",
            "sourceRoot": "src",
            "prefix": "app",
            "architect": {
                "build": {
                    "builder": "@angular/build:application",
                    "options": {
                        "browser": "src/main.ts",
                        "index": "src/index.html",
                        "tsConfig": "tsconfig.json",
                        "styles": ["src/styles.css"],
                        "outputPath": "dist/app",
                    },
                    "configurations": {
                        "production": {"outputHashing": "all"},
                        "development": {"optimization": False, "extractLicenses": False, "sourceMap": True},
                    },
                    "defaultConfiguration": "production",
                },
                "serve": {
                    "builder": "@angular/build:dev-server",
                    # The preview reaches the dev server under the sandbox's host name, not localhost.
                    "options": {"allowedHosts": True},
                    "configurations": {"development": {"buildTarget": "app:build:development"}},
                    "defaultConfiguration": "development",
                },
            },
        }
    },
}

ANGULAR_TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "noImplicitOverride": True,
        "noImplicitReturns": True,
        "skipLibCheck": True,
        "isolatedModules": True,
        "experimentalDecorators": True,
        "importHelpers": True,
        "target": "ES2022",
        "module": "preserve",
    },
    "angularCompilerOptions": {"strictTemplates": True, "strictInjectionParameters": True},
    "files": ["src/main.ts"],
}

ANGULAR_INDEX = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>__TITLE__</title>
  </head>
  <body>
    <app-root></app-root>
  </body>
</html>
"""

ANGULAR_MAIN = """import { provideZonelessChangeDetection } from "@angular/core";
import { bootstrapApplication } from "@angular/platform-browser";
import { App } from "./app/app";

bootstrapApplication(App, { providers: [provideZonelessChangeDetection()] }).catch((error) =>
  console.error(error),
);
"""


class ViteSetup(msgspec.Struct, frozen=True, kw_only=True):
    entry: str
    component: str
    mount_id: str
    """The element of index.html the app mounts on."""
    dependencies: dict[str, str]
    plugin: dict[str, str]
    """The framework's Vite plugin and, for Svelte, its compiler."""
    plugin_import: str
    plugin_call: str
    main: str
    """The entry's code: it mounts the component."""


VITE_SETUPS = {
    Framework.REACT: ViteSetup(
        entry="src/main.jsx",
        component="App.jsx",
        mount_id="root",
        dependencies={"react": "^19.2.0", "react-dom": "^19.2.0"},
        plugin={"@vitejs/plugin-react": "^6.0.0"},
        plugin_import='import react from "@vitejs/plugin-react";',
        plugin_call="react()",
        main="""import { StrictMode } from "react";
import { flushSync } from "react-dom";
import { createRoot } from "react-dom/client";
import App from "./App.jsx";
import "./styles.css";

const root = createRoot(document.getElementById("root"));
// Rendered now rather than on the next tick: index.html's fallback, which runs right after this
// module, draws the static version of the app into an empty root.
flushSync(() =>
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  ),
);
""",
    ),
    Framework.VUE: ViteSetup(
        entry="src/main.js",
        component="App.vue",
        mount_id="app",
        dependencies={"vue": "^3.5.0"},
        plugin={"@vitejs/plugin-vue": "^6.0.0"},
        plugin_import='import vue from "@vitejs/plugin-vue";',
        plugin_call="vue()",
        main="""import { createApp } from "vue";
import App from "./App.vue";
import "./styles.css";

createApp(App).mount("#app");
""",
    ),
    Framework.SVELTE: ViteSetup(
        entry="src/main.js",
        component="App.svelte",
        mount_id="app",
        dependencies={},
        plugin={"@sveltejs/vite-plugin-svelte": "^7.0.0", "svelte": "^5.46.4"},
        plugin_import='import { svelte } from "@sveltejs/vite-plugin-svelte";',
        plugin_call="svelte()",
        main="""import { mount } from "svelte";
import App from "./App.svelte";
import "./styles.css";

mount(App, { target: document.getElementById("app") });
""",
    ),
}

SVELTE_CONFIG = """/** @type {import("@sveltejs/vite-plugin-svelte").SvelteConfig} */
export default {
  compilerOptions: { runes: true },
};
"""
