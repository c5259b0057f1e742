// Builds src/index.js and the packages of package-lock.json into one minified ES module for the
// browser editor, with the licences of every package in it and a manifest of what it was built
// from. Run through `make editor-bundle` (npm ci first); the outputs are committed, so serving the
// editor needs no Node.js.
//
//   node build.mjs [--out-dir DIR]     (default: ../server/static/editor/vendor)
//
// Writes, in DIR:
//   editor-libs.js               the bundle
//   editor-libs.LICENSES.txt     each bundled package's name, version and licence text, then the
//                                legal comments esbuild took out of the code
//   editor-libs.manifest.json    SHA-256 of the build's inputs (this script, package.json, the lock,
//                                src/index.js) and of both outputs, and the bundled packages'
//                                versions; tests/server/test_editor_bundle.py checks it against
//                                the committed files
// The same inputs give the same bytes: no dates, no absolute paths, everything sorted.

import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as esbuild from "esbuild";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, "..");
const NAME = "editor-libs";
// Paths as the repository names them, so the manifest reads the same on every machine.
const INPUTS = ["build.mjs", "package.json", "package-lock.json", "src/index.js"];

// Two third-party files are changed as they are bundled, because the editor page's policy has no
// 'unsafe-inline' for styles (CSSOM, `element.style.x = ...`, stays allowed). Each edit must match
// exactly once, or the build fails.
const PATCHES = [
  {
    // CodeMirror's styles reach the page through style-mod, which gives a document a <style>
    // element: refused, and the editor is left without its layout. A constructed style sheet
    // (adoptedStyleSheets), which style-mod already uses for shadow roots, is not refused, so
    // documents get one too. The cost: adopted sheets come after the page's own, so style.css
    // overrides CodeMirror's rules only with a more specific selector (or through EditorView.theme).
    file: /\/node_modules\/style-mod\/src\/style-mod\.js$/,
    edits: [
      [
        "if (!root.head && root.adoptedStyleSheets && win.CSSStyleSheet) {",
        "if (root.adoptedStyleSheets && win.CSSStyleSheet) {",
      ],
    ],
  },
  {
    // y-codemirror.next colours another person's caret with a `style` attribute: refused, and the
    // caret and its name label lose their colour. The same colour is set through CSSOM instead.
    file: /\/node_modules\/y-codemirror\.next\/src\/y-remote-selections\.js$/,
    edits: [
      [", pair.create('style', `background-color: ${this.color}; border-color: ${this.color}`)]", "]"],
      [
        "  toDOM () {\n",
        "  toDOM () {\n" +
          "    const caret = this.caretDOM()\n" +
          "    caret.style.backgroundColor = this.color\n" +
          "    caret.style.borderColor = this.color\n" +
          "    return caret\n" +
          "  }\n\n" +
          "  caretDOM () {\n",
      ],
    ],
  },
];
const patched = new Set();
const patchPlugin = {
  name: "patch",
  setup(build) {
    for (const { file, edits } of PATCHES) {
      build.onLoad({ filter: file }, ({ path }) => {
        let source = readFileSync(path, "utf8");
        for (const [from, to] of edits) {
          if (source.split(from).length !== 2) throw new Error(`${path} no longer has ${from} once`);
          source = source.replace(from, () => to);
        }
        patched.add(file);
        return { contents: source, loader: "js" };
      });
    }
  },
};

const { values } = parseArgs({ options: { "out-dir": { type: "string" } } });
const outDir = resolve(values["out-dir"] ?? join(REPO, "server/static/editor/vendor"));

const result = await esbuild.build({
  absWorkingDir: HERE,
  entryPoints: ["src/index.js"],
  outfile: `out/${NAME}.js`, // only names the outputs: write is false
  write: false,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2020",
  minify: true,
  legalComments: "external",
  metafile: true,
  logLevel: "warning",
  plugins: [patchPlugin],
});

const missed = PATCHES.filter(({ file }) => !patched.has(file));
if (missed.length > 0) throw new Error(`nothing in the bundle matched ${missed.map(({ file }) => file)}`);
const output = Object.values(result.metafile.outputs).find((file) => file.entryPoint !== undefined);
const packages = bundledPackages(
  Object.entries(output.inputs)
    .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
    .map(([input]) => input),
);
const code = outputNamed(`${NAME}.js`);
const legal = outputNamed(`${NAME}.js.LEGAL.txt`, "");
const licenses = licenseText(packages, legal);

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, `${NAME}.js`), code);
writeFileSync(join(outDir, `${NAME}.LICENSES.txt`), licenses);
const manifest = {
  bundle: { path: `${NAME}.js`, bytes: code.length, sha256: sha256(code) },
  licenses: { path: `${NAME}.LICENSES.txt`, sha256: sha256(licenses) },
  inputs: Object.fromEntries(
    INPUTS.map((name) => [`editor-bundle/${name}`, sha256(readFileSync(join(HERE, name)))]),
  ),
  packages: Object.fromEntries([...packages].map(([name, info]) => [name, info.version])),
  esbuild: esbuild.version,
};
writeFileSync(join(outDir, `${NAME}.manifest.json`), JSON.stringify(manifest, null, 2) + "\n");
console.log(`${relative(REPO, join(outDir, `${NAME}.js`))}: ${code.length} bytes, ${packages.size} packages`);

function outputNamed(name, fallback) {
  const file = result.outputFiles.find((output) => output.path.endsWith(`/${name}`));
  if (file === undefined && fallback === undefined) throw new Error(`esbuild wrote no ${name}`);
  return file === undefined ? fallback : Buffer.from(file.contents);
}

/** name -> {version, dir}: the packages with code in the bundle. Fails when one package
 * comes from two folders (two copies of yjs break its constructor checks; two of
 * @codemirror/state break CodeMirror's). */
function bundledPackages(inputs) {
  const found = new Map();
  for (const input of inputs) {
    const match = /^(.*node_modules\/)((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match === null) continue; // src/index.js itself
    const [, prefix, name] = match;
    const dir = prefix + name;
    const seen = found.get(name);
    if (seen !== undefined && seen.dir !== dir) {
      throw new Error(`two copies of ${name} in the bundle: ${seen.dir} and ${dir} (run npm dedupe)`);
    }
    if (seen === undefined) {
      const { version } = JSON.parse(readFileSync(join(HERE, dir, "package.json"), "utf8"));
      found.set(name, { version, dir });
    }
  }
  return new Map([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function licenseText(packages, legalComments) {
  const sections = [...packages].map(([name, { version, dir }]) => {
    const meta = JSON.parse(readFileSync(join(HERE, dir, "package.json"), "utf8"));
    const file = readdirSync(join(HERE, dir))
      .filter((entry) => /^(licen[sc]e|copying)(\.|$)/i.test(entry))
      .sort()[0];
    const text =
      file === undefined
        ? `(no licence file; package.json says ${meta.license})`
        : readFileSync(join(HERE, dir, file), "utf8").trim();
    return `${name}@${version}, licence: ${meta.license}\n\n${text}\n`;
  });
  const header =
    `Third-party software in ${NAME}.js, built by editor-bundle/build.mjs.\n` +
    `Each package with its licence, then the legal comments taken out of the minified code.\n`;
  const rule = "\n" + "=".repeat(78) + "\n\n";
  const comments = legalComments.toString("utf8").trim();
  const tail = comments.length > 0 ? `${rule}Legal comments:\n\n${comments}\n` : "";
  return Buffer.from(header + rule + sections.join(rule) + tail, "utf8");
}

function sha256(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}
