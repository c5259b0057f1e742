"""The committed editor bundle (/editor/vendor/editor-libs.js) in Chromium, imported by the editor's
own page under its Content-Security-Policy: a CodeMirror view bound to a Y.Text, two documents
kept in step by the sync and awareness helpers, and Markdown that loses its script."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Page

pytestmark = pytest.mark.asyncio(loop_scope="package")

BUNDLE = "/editor/vendor/editor-libs.js"
VIOLATIONS = "() => window.violations"

# Records what the page's policy refuses from here on, then imports the bundle as a module.
IMPORT = """async (bundle) => {
  window.violations = [];
  document.addEventListener("securitypolicyviolation", (e) =>
    window.violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
  window.libs = await import(bundle);
  return Object.keys(window.libs).sort();
}"""

# One shared file, as the document of API.md "WebSocket: the shared code" holds it: a Y.Map named
# `files` of Y.Text. The view shows it with the editor's extensions and yCollab.
MOUNT = """() => {
  const { Y, Awareness, EditorState, EditorView, collab, editorSetup, languageFor } = window.libs;
  const doc = new Y.Doc();
  const text = new Y.Text("const a = 1;\\n");
  doc.getMap("files").set("src/App.tsx", text);
  const awareness = new Awareness(doc);
  awareness.setLocalStateField("user", { userId: "u1", name: "Ada", color: "#1a7f37" });
  const parent = document.createElement("div");
  parent.id = "bundle-editor";
  document.body.append(parent);
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text.toString(),
      extensions: [editorSetup, languageFor("src/App.tsx"), collab(text, awareness)],
    }),
  });
  window.shared = { doc, text, awareness, view };
}"""

# A second tab's document, reached only through y-websocket frames built with the bundle's sync
# and awareness helpers: sync step 1 one way, the step 2 it answers the other, then updates.
SECOND_TAB = """() => {
  const { Y, Awareness, encoding, decoding, MESSAGE_SYNC, MESSAGE_AWARENESS, writeSyncStep1,
          readSyncMessage, writeUpdate, encodeAwarenessUpdate, applyAwarenessUpdate } = window.libs;
  const { doc, awareness } = window.shared;
  const other = new Y.Doc();
  const frame = (type, write) => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, type);
    write(encoder);
    return encoding.toUint8Array(encoder);
  };
  // Answers a sync frame on `target`; returns the reply frame or null.
  const receive = (target, bytes) => {
    const decoder = decoding.createDecoder(bytes);
    if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) throw new Error("not a sync frame");
    const reply = encoding.createEncoder();
    encoding.writeVarUint(reply, MESSAGE_SYNC);
    readSyncMessage(decoder, reply, target, "remote");
    return encoding.length(reply) > 1 ? encoding.toUint8Array(reply) : null;
  };
  const step2 = receive(doc, frame(MESSAGE_SYNC, (e) => writeSyncStep1(e, other)));
  receive(other, step2);
  for (const [from, to] of [[doc, other], [other, doc]]) {
    from.on("update", (update, origin) => {
      if (origin !== "remote") receive(to, frame(MESSAGE_SYNC, (e) => writeUpdate(e, update)));
    });
  }
  const otherText = other.getMap("files").get("src/App.tsx");
  const otherAwareness = new Awareness(other);
  otherAwareness.setLocalState({
    user: { userId: "u2", name: "Grace", color: "#cf222e" },
    cursor: {
      anchor: Y.createRelativePositionFromTypeIndex(otherText, 0),
      head: Y.createRelativePositionFromTypeIndex(otherText, 5),
    },
  });
  const awarenessFrame = frame(MESSAGE_AWARENESS, (e) =>
    encoding.writeVarUint8Array(e, encodeAwarenessUpdate(otherAwareness, [other.clientID])));
  const decoder = decoding.createDecoder(awarenessFrame);
  decoding.readVarUint(decoder);
  applyAwarenessUpdate(awareness, decoding.readVarUint8Array(decoder), "remote");
  window.second = { doc: other, text: otherText };
  return otherText.toString();
}"""

STATE = """() => ({
  shared: window.shared.text.toString(),
  view: window.shared.view.state.doc.toString(),
  second: window.second ? window.second.text.toString() : null,
})"""


async def open_bundle(page: Page, url: str) -> list[str]:
    await page.goto(url)
    exports: list[str] = await page.evaluate(IMPORT, BUNDLE)
    return exports


async def state(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = await page.evaluate(STATE)
    return result


async def test_the_bundle_binds_an_editor_to_a_shared_text(idle_server, new_context, token):
    context = await new_context(token)
    page = await context.new_page()
    exports = await open_bundle(page, idle_server.url)
    assert {"Y", "EditorView", "yCollab", "Awareness", "writeSyncStep1", "renderMarkdown"} <= set(exports)

    await page.evaluate(MOUNT)
    await page.locator("#bundle-editor .cm-content").click()
    await page.keyboard.press("Control+End")
    await page.keyboard.type("let b = 2;")

    assert await state(page) == {
        "shared": "const a = 1;\nlet b = 2;",
        "view": "const a = 1;\nlet b = 2;",
        "second": None,
    }
    # TypeScript is highlighted: the keyword has a class of its own. CodeMirror's own styles apply
    # (the bundle gives them a constructed style sheet, which the policy allows).
    assert await page.locator("#bundle-editor .cm-line span", has_text="const").count() == 1
    white_space = "(e) => getComputedStyle(e).whiteSpace"
    assert await page.locator("#bundle-editor .cm-content").evaluate(white_space) == "pre"
    assert await page.evaluate(VIOLATIONS) == []

    assert await page.evaluate(SECOND_TAB) == "const a = 1;\nlet b = 2;"
    await page.evaluate("() => window.second.text.insert(0, '// hi\\n')")
    await page.keyboard.type(" // mine")

    everywhere = "// hi\nconst a = 1;\nlet b = 2; // mine"
    assert await state(page) == {"shared": everywhere, "view": everywhere, "second": everywhere}
    # The other tab's cursor, named as its awareness says.
    caret = page.locator("#bundle-editor .cm-ySelectionCaret .cm-ySelectionInfo")
    await caret.wait_for(state="attached")
    assert await caret.text_content() == "Grace"

    # Undo takes back this tab's typing (Y.UndoManager joins edits less than 500 ms apart, so maybe
    # both), and leaves the other tab's line.
    await page.keyboard.press("Control+z")
    await page.wait_for_function("() => !window.shared.text.toString().includes('mine')")
    assert (await state(page))["second"] in ("// hi\nconst a = 1;\nlet b = 2;", "// hi\nconst a = 1;\n")
    # In the other person's colour, which the bundle sets without a `style` attribute.
    caret_colour = "(e) => getComputedStyle(e.parentElement).borderLeftColor"
    assert await caret.evaluate(caret_colour) == "rgb(207, 34, 46)"
    selection = page.locator("#bundle-editor .cm-ySelection")
    assert await selection.text_content() == "const"
    assert await selection.evaluate("(e) => getComputedStyle(e).backgroundColor") == "rgba(207, 34, 46, 0.2)"
    assert await page.evaluate(VIOLATIONS) == []
    await context.close()


async def test_the_bundle_renders_markdown_without_scripts(idle_server, new_context, token):
    context = await new_context(token)
    page = await context.new_page()
    await open_bundle(page, idle_server.url)

    html = await page.evaluate(
        """() => {
          const out = window.libs.renderMarkdown([
            "# Title", "",
            "<script>window.pwned = 1</script>", "",
            "<img src=x onerror=\\"window.pwned = 2\\">", "",
            "[link](javascript:window.pwned=3) and **bold**", "",
            "```ts", "const n: number = 1;", "```",
          ].join("\\n"));
          const box = document.createElement("div");
          box.innerHTML = out;
          document.body.append(box);
          box.querySelector("a")?.click();
          return out;
        }"""
    )

    assert "<h1" in html and "<strong>bold</strong>" in html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert '<code class="language-ts"><span class="tok-keyword">const</span>' in html
    assert await page.evaluate("() => window.pwned") is None
    assert await page.evaluate("() => window.libs.highlightCode('<b a=\"1\">', 'python')") == (
        "&lt;b a=&quot;1&quot;&gt;"
    )
    assert await page.evaluate("() => window.libs.highlightCode('<b>', 'html')") == (
        '<span class="tok-punctuation">&lt;</span><span class="tok-typeName">b</span>'
        '<span class="tok-punctuation">&gt;</span>'
    )
    await context.close()


# A file of each kind the editor opens, and a node its language's parser must find in it.
SAMPLES = {
    "a.js": ("let x = 1", "VariableDeclaration"),
    "a.jsx": ("<b/>", "JSXElement"),
    "a.ts": ("let x: number", "TypeAnnotation"),
    "src/A.tsx": ("let x: T = <b/>", "TypeName),Equals,JSXElement"),
    "a.css": ("a { color: red }", "RuleSet"),
    "index.html": ("<p>hi</p>", "Element"),
    "package.json": ('{"a": 1}', "Property"),
    "README.md": ("# Hi", "ATXHeading1"),
    "App.vue": ("<template>{{ a }}</template>", "Interpolation"),
    "App.svelte": ("{#if a}x{/if}", "IfBlock"),
}
PLAIN = ["notes.txt", "Makefile", ".env", "src/"]


async def test_the_bundle_knows_the_languages_of_a_project_s_files(idle_server, new_context, token):
    context = await new_context(token)
    page = await context.new_page()
    await open_bundle(page, idle_server.url)

    trees = await page.evaluate(
        """(samples) => Object.fromEntries(Object.entries(samples).map(([path, code]) => {
          const extension = window.libs.languageFor(path);
          const { parser } = extension.language ?? {};
          return [path, parser ? parser.parse(code).toString() : extension.length];
        }))""",
        {**{path: code for path, (code, _) in SAMPLES.items()}, **dict.fromkeys(PLAIN, "")},
    )

    assert {path: node in trees[path] for path, (_, node) in SAMPLES.items()} == dict.fromkeys(
        SAMPLES, True
    ), trees
    assert [trees[path] for path in PLAIN] == [0] * len(PLAIN)
    await context.close()
