"""The apps the offline provider builds: small but real projects in each framework.

Every app is the framework's own project (package.json with a `dev` script on the framework's
port, its entry files, a component holding the app) plus a root `index.html` that works from a
plain static server, so the local sandbox can preview it without Node.js. For the Vite frameworks
that page is also Vite's entry: its fallback script renders only when the framework did not mount.
"""

from __future__ import annotations

import json
import re

import msgspec

from domain.enums import Framework

PORTS = {
    Framework.NEXTJS: 3000,
    Framework.ANGULAR: 4200,
    Framework.REACT: 5173,
    Framework.VUE: 5173,
    Framework.SVELTE: 5173,
}
KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("todo", re.compile(r"\b(to-?do|todos|tasks?|checklist)\b", re.I)),
    ("counter", re.compile(r"\b(counter|clicker)\b", re.I)),
]


class OfflineApp(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    title: str
    files: dict[str, str]
    intro: str
    summary: str


def build_app(prompt: str, framework: Framework) -> OfflineApp:
    kind = next((name for name, pattern in KINDS if pattern.search(prompt)), "landing")
    spec = _SPECS[kind](prompt)
    files = {**_project_files(framework, spec), "index.html": _static_page(framework, spec)}
    listing = "\n".join(f"- `{path}`" for path in sorted(files))
    return OfflineApp(
        kind=kind,
        title=spec.title,
        files=files,
        intro=f"I'll build {spec.description} with {_FRAMEWORK_NAMES[framework]}.",
        summary=(
            f"Built {spec.description} with {_FRAMEWORK_NAMES[framework]}. {spec.features}\n\n"
            f"Files:\n{listing}\n\nRun it with `npm install && npm run dev` (port {PORTS[framework]})."
        ),
    )


class AppSpec(msgspec.Struct, frozen=True, kw_only=True):
    title: str
    description: str
    features: str
    body: str
    """The app's markup inside its container (shared by every framework's static page)."""
    script: str
    """Vanilla JavaScript that makes `body` work."""
    component_state: str
    """Framework-neutral description used in the framework files' comments."""


_FRAMEWORK_NAMES = {
    Framework.NEXTJS: "Next.js",
    Framework.ANGULAR: "Angular",
    Framework.REACT: "React and Vite",
    Framework.VUE: "Vue and Vite",
    Framework.SVELTE: "Svelte and Vite",
}

STYLE = """
body{font-family:system-ui,sans-serif;background:#f5f5f7;color:#1d1d1f;margin:0}
main{max-width:36rem;margin:3rem auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 2px 12px #0001}
h1{margin-top:0}form{display:flex;gap:.5rem}input{flex:1;padding:.6rem;border:1px solid #888;border-radius:8px}
button{padding:.6rem 1rem;border:0;border-radius:8px;background:#1d4ed8;color:#fff;cursor:pointer}
button.link{background:none;color:#1d4ed8;padding:.2rem .4rem}ul{list-style:none;padding:0}
li{display:flex;align-items:center;gap:.5rem;padding:.4rem 0;border-bottom:1px solid #eee}
li.done span{text-decoration:line-through;color:#555}.count{font-size:4rem;text-align:center;margin:1rem}
.row{display:flex;gap:.5rem;justify-content:center}
""".strip()

# Storage may be refused (the preview runs in a sandboxed, opaque origin): the app then keeps
# its items for the page's lifetime only.
STORE = """
const store = {
  load(key, fallback) { try { return JSON.parse(localStorage.getItem(key)) ?? fallback; } catch { return fallback; } },
  save(key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* not allowed here */ } },
};
""".strip()


def _todo(prompt: str) -> AppSpec:
    return AppSpec(
        title="To-do list",
        description="a to-do list",
        features="Add tasks, tick them off, delete them and filter all, active or done; they are kept in "
        "the browser's storage.",
        body="""<h1>To-do list</h1>
<form id="add"><label for="task" class="sr">New task</label><input id="task" placeholder="What needs doing?" required><button>Add</button></form>
<div class="row" role="group" aria-label="Filter"><button class="link" data-filter="all">All</button><button class="link" data-filter="active">Active</button><button class="link" data-filter="done">Done</button></div>
<ul id="list"></ul><p id="left"></p>""",
        script=STORE
        + """
let todos = store.load("todos", []);
let filter = "all";
const list = document.getElementById("list");
function render() {
  list.innerHTML = "";
  todos.filter((t) => filter === "all" || (filter === "done") === t.done).forEach((todo) => {
    const item = document.createElement("li");
    item.className = todo.done ? "done" : "";
    const box = document.createElement("input");
    box.type = "checkbox"; box.checked = todo.done; box.setAttribute("aria-label", "Done: " + todo.text);
    box.onchange = () => { todo.done = box.checked; save(); };
    const text = document.createElement("span"); text.textContent = todo.text;
    const remove = document.createElement("button"); remove.className = "link"; remove.textContent = "Delete";
    remove.onclick = () => { todos = todos.filter((t) => t !== todo); save(); };
    item.append(box, text, remove); list.append(item);
  });
  document.getElementById("left").textContent = todos.filter((t) => !t.done).length + " left";
}
function save() { store.save("todos", todos); render(); }
document.getElementById("add").onsubmit = (event) => {
  event.preventDefault();
  const input = document.getElementById("task");
  todos.push({ text: input.value.trim(), done: false }); input.value = ""; save();
};
document.querySelectorAll("[data-filter]").forEach((b) => (b.onclick = () => { filter = b.dataset.filter; render(); }));
render();""",
        component_state="todos: {text, done}[], filter: 'all' | 'active' | 'done'",
    )


def _counter(prompt: str) -> AppSpec:
    return AppSpec(
        title="Counter",
        description="a counter",
        features="Increment, decrement and reset; the count is kept in the browser's storage.",
        body="""<h1>Counter</h1><p class="count" id="count" aria-live="polite">0</p>
<div class="row"><button id="down">- 1</button><button id="reset">Reset</button><button id="up">+ 1</button></div>""",
        script=STORE
        + """
let count = store.load("count", 0);
const shown = document.getElementById("count");
function set(value) { count = value; store.save("count", count); shown.textContent = count; }
document.getElementById("up").onclick = () => set(count + 1);
document.getElementById("down").onclick = () => set(count - 1);
document.getElementById("reset").onclick = () => set(0);
set(count);""",
        component_state="count: number",
    )


def _landing(prompt: str) -> AppSpec:
    headline = prompt.strip().rstrip(".!?")[:80] or "Welcome"
    headline = headline[:1].upper() + headline[1:]
    return AppSpec(
        title=headline,
        description=f"a landing page for “{headline}”",
        features="A headline, three highlights and a sign-up form that thanks the visitor.",
        body=f"""<h1>{_escape(headline)}</h1><p>Made with care. Simple, fast and friendly.</p>
<ul><li>✔ Easy to start</li><li>✔ Works everywhere</li><li>✔ Free to try</li></ul>
<form id="signup"><label for="email" class="sr">Email</label><input id="email" type="email" placeholder="you@example.com" required><button>Sign up</button></form>
<p id="thanks" role="status"></p>""",
        script="""
document.getElementById("signup").onsubmit = (event) => {
  event.preventDefault();
  document.getElementById("thanks").textContent = "Thank you! We'll be in touch.";
};""",
        component_state="email: string, thanked: boolean",
    )


_SPECS = {"todo": _todo, "counter": _counter, "landing": _landing}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _static_page(framework: Framework, spec: AppSpec) -> str:
    """The app in plain HTML and JavaScript; for Vite it is also the entry page."""
    vite_entry = {
        Framework.REACT: '<script type="module" src="/src/main.jsx"></script>',
        Framework.VUE: '<script type="module" src="/src/main.js"></script>',
        Framework.SVELTE: '<script type="module" src="/src/main.js"></script>',
    }.get(framework, "")
    fallback = (
        "// Vite mounts the framework's app first; served as plain files, this renders the same app.\n"
        'const root = document.getElementById("app");\n'
        f"if (!root.hasChildNodes()) {{\n  root.innerHTML = {json.dumps('<main>' + spec.body + '</main>')};\n"
        f"{spec.script}\n}}"
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_escape(spec.title)}</title>
<style>{STYLE}
.sr{{position:absolute;left:-9999px}}</style>
</head>
<body>
<div id="app"></div>
{vite_entry}
<script type="module">
{fallback}
</script>
</body>
</html>
"""


def _project_files(framework: Framework, spec: AppSpec) -> dict[str, str]:
    """The framework's project: it mounts a component that embeds the same markup and logic."""
    port = PORTS[framework]
    markup = json.dumps("<main>" + spec.body + "</main>")
    logic = json.dumps(spec.script)
    comment = f"// State: {spec.component_state}"
    styles = STYLE + "\n.sr{position:absolute;left:-9999px}\n"
    if framework == Framework.NEXTJS:
        return {
            "package.json": _package(
                f"next dev -H 0.0.0.0 -p {port}",
                {"next": "^15.0.0", "react": "^19.0.0", "react-dom": "^19.0.0"},
                {"typescript": "^5.6.0", "@types/react": "^19.0.0", "@types/node": "^22.0.0"},
                build="next build",
            ),
            "tsconfig.json": json.dumps(
                {
                    "compilerOptions": {
                        "target": "ES2020",
                        "lib": ["dom", "es2020"],
                        "jsx": "preserve",
                        "strict": True,
                        "module": "esnext",
                        "moduleResolution": "bundler",
                        "noEmit": True,
                        "allowJs": True,
                        "esModuleInterop": True,
                        "isolatedModules": True,
                        "incremental": True,
                        "resolveJsonModule": True,
                        "skipLibCheck": True,
                        "plugins": [{"name": "next"}],
                    },
                    "include": ["next-env.d.ts", "**/*.ts", "**/*.tsx"],
                },
                indent=2,
            ),
            "app/globals.css": styles,
            "app/layout.tsx": f"""import "./globals.css";

export const metadata = {{ title: {json.dumps(spec.title)} }};

export default function RootLayout({{ children }}: {{ children: React.ReactNode }}) {{
  return (
    <html lang="en">
      <body>{{children}}</body>
    </html>
  );
}}
""",
            "app/page.tsx": f""""use client";

import {{ useEffect, useRef }} from "react";

{comment}
const MARKUP = {markup};
const LOGIC = {logic};

export default function Page() {{
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {{
    if (!root.current) return;
    root.current.innerHTML = MARKUP;
    new Function(LOGIC)();
  }}, []);
  return <div ref={{root}} />;
}}
""",
        }
    if framework == Framework.ANGULAR:
        return {
            "package.json": _package(
                f"ng serve --host 0.0.0.0 --port {port}",
                {
                    "@angular/common": "^19.0.0",
                    "@angular/compiler": "^19.0.0",
                    "@angular/core": "^19.0.0",
                    "@angular/platform-browser": "^19.0.0",
                    "rxjs": "^7.8.0",
                    "tslib": "^2.6.0",
                    "zone.js": "^0.15.0",
                },
                {
                    "@angular/build": "^19.0.0",
                    "@angular/cli": "^19.0.0",
                    "@angular/compiler-cli": "^19.0.0",
                    "typescript": "~5.6.0",
                },
                build="ng build",
            ),
            "angular.json": json.dumps(
                {
                    "version": 1,
                    "projects": {
                        "app": {
                            "projectType": "application",
                            "root": "",
                            "sourceRoot": "src",
                            "architect": {
                                "build": {
                                    "builder": "@angular/build:application",
                                    "options": {
                                        "outputPath": "dist/app",
                                        "index": "src/index.html",
                                        "browser": "src/main.ts",
                                        "polyfills": ["zone.js"],
                                        "tsConfig": "tsconfig.json",
                                        "styles": ["src/styles.css"],
                                    },
                                },
                                "serve": {
                                    "builder": "@angular/build:dev-server",
                                    "options": {"buildTarget": "app:build"},
                                },
                            },
                        }
                    },
                },
                indent=2,
            ),
            "tsconfig.json": json.dumps(
                {
                    "compilerOptions": {
                        "strict": True,
                        "target": "ES2022",
                        "module": "ES2022",
                        "moduleResolution": "bundler",
                        "experimentalDecorators": True,
                        "lib": ["ES2022", "dom"],
                    },
                    "files": ["src/main.ts"],
                },
                indent=2,
            ),
            "src/index.html": f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{_escape(spec.title)}</title></head>
<body><app-root></app-root></body>
</html>
""",
            "src/styles.css": styles,
            "src/main.ts": """import { bootstrapApplication } from "@angular/platform-browser";
import { AppComponent } from "./app/app.component";

bootstrapApplication(AppComponent).catch((error) => console.error(error));
""",
            "src/app/app.component.ts": f"""import {{ AfterViewInit, Component, ElementRef, ViewChild }} from "@angular/core";

{comment}
const MARKUP = {markup};
const LOGIC = {logic};

@Component({{
  selector: "app-root",
  standalone: true,
  template: "<div #root></div>",
}})
export class AppComponent implements AfterViewInit {{
  @ViewChild("root") root!: ElementRef<HTMLDivElement>;

  ngAfterViewInit(): void {{
    this.root.nativeElement.innerHTML = MARKUP;
    new Function(LOGIC)();
  }}
}}
""",
        }
    vite = {
        Framework.REACT: ("@vitejs/plugin-react", "react", {"react": "^19.0.0", "react-dom": "^19.0.0"}),
        Framework.VUE: ("@vitejs/plugin-vue", "vue", {"vue": "^3.5.0"}),
        Framework.SVELTE: ("@sveltejs/vite-plugin-svelte", "svelte", {}),
    }[framework]
    plugin_package, plugin_name, dependencies = vite
    dev_dependencies = {"vite": "^6.0.0", plugin_package: "^5.0.0"}
    if framework == Framework.SVELTE:
        dev_dependencies["svelte"] = "^5.0.0"
    import_name = {"react": "react", "vue": "vue", "svelte": "{ svelte }"}[plugin_name]
    call = {"react": "react()", "vue": "vue()", "svelte": "svelte()"}[plugin_name]
    files = {
        "package.json": _package(
            f"vite --host 0.0.0.0 --port {port}", dependencies, dev_dependencies, build="vite build"
        ),
        "vite.config.js": f"""import {{ defineConfig }} from "vite";
import {import_name} from "{plugin_package}";

export default defineConfig({{ plugins: [{call}], server: {{ host: "0.0.0.0", port: {port} }} }});
""",
        "src/styles.css": styles,
        "src/app-logic.js": f"""{comment}
export const MARKUP = {markup};
export const LOGIC = {logic};
""",
    }
    if framework == Framework.REACT:
        files["src/main.jsx"] = """import { createRoot } from "react-dom/client";
import App from "./App.jsx";
import "./styles.css";

createRoot(document.getElementById("app")).render(<App />);
"""
        files["src/App.jsx"] = """import { useEffect, useRef } from "react";
import { LOGIC, MARKUP } from "./app-logic.js";

export default function App() {
  const root = useRef(null);
  useEffect(() => {
    root.current.innerHTML = MARKUP;
    new Function(LOGIC)();
  }, []);
  return <div ref={root} />;
}
"""
    elif framework == Framework.VUE:
        files["src/main.js"] = """import { createApp } from "vue";
import App from "./App.vue";
import "./styles.css";

createApp(App).mount("#app");
"""
        files["src/App.vue"] = """<script setup>
import { onMounted, ref } from "vue";
import { LOGIC, MARKUP } from "./app-logic.js";

const root = ref(null);
onMounted(() => {
  root.value.innerHTML = MARKUP;
  new Function(LOGIC)();
});
</script>

<template>
  <div ref="root"></div>
</template>
"""
    else:
        files["src/main.js"] = """import { mount } from "svelte";
import App from "./App.svelte";
import "./styles.css";

mount(App, { target: document.getElementById("app") });
"""
        files["src/App.svelte"] = """<script>
  import { onMount } from "svelte";
  import { LOGIC, MARKUP } from "./app-logic.js";

  let root;
  onMount(() => {
    root.innerHTML = MARKUP;
    new Function(LOGIC)();
  });
</script>

<div bind:this={root}></div>
"""
    return files


def _package(dev: str, dependencies: dict[str, str], dev_dependencies: dict[str, str], build: str) -> str:
    return (
        json.dumps(
            {
                "name": "forge-app",
                "private": True,
                "version": "0.1.0",
                "type": "module",
                "scripts": {"dev": dev, "build": build},
                "dependencies": dependencies,
                "devDependencies": dev_dependencies,
            },
            indent=2,
        )
        + "\n"
    )
