// The Import dialog: bring a GitHub repository in as the project's code, or a Figma design for the
// assistant to build from (API.md, Imports). Connecting takes a pasted token (development; the
// server keeps it encrypted and never shows it again). Imports move along live (`import.updated`).

import { formatTime, h, replaceChildren } from "./dom.js";

const SOURCES = {
  GITHUB: {
    provider: "github",
    name: "GitHub",
    choice: "GitHub repository",
    label: "Repository address",
    placeholder: "https://github.com/owner/repository",
    hint: "Its text files replace the project's code (the current code stays in the history).",
  },
  FIGMA: {
    provider: "figma",
    name: "Figma",
    choice: "Figma file",
    label: "Figma file address",
    placeholder: "https://www.figma.com/design/KEY/Name",
    hint: "The design goes with your next message, for the assistant to build from.",
  },
};
const STATUS_LABELS = { PENDING: "Waiting", PROCESSING: "Importing…", COMPLETE: "Done" };

/** Which repository an address names (https://github.com/OWNER/REPO[/tree/REF], or OWNER/REPO). */
function parseGitHub(address) {
  const match = /^(?:https?:\/\/(?:www\.)?github\.com\/)?([\w.-]+)\/([\w.-]+?)(?:\.git)?(?:\/tree\/.+)?\/?$/i.exec(address);
  if (!match) return null;
  const fullName = `${match[1]}/${match[2]}`;
  const url = /^https?:/i.test(address) ? address : `https://github.com/${fullName}`;
  return { sourceId: fullName, sourceName: fullName, sourceUrl: url };
}

/** Which file a Figma address names: its key, and its name from the address when it has one. */
function parseFigma(address) {
  const match = /^https?:\/\/(?:www\.)?figma\.com\/(?:file|design|proto|board)\/([A-Za-z0-9]{10,128})(?:\/([^/?#]+))?/i.exec(address);
  if (!match) return null;
  const name = match[2] ? decodeURIComponent(match[2]).replace(/-/g, " ") : "Figma file";
  return { sourceId: match[1], sourceName: name, sourceUrl: address };
}

/** view: the project's state; attach(attachment, label): puts a design on the next prompt. */
export function createImports(view, api, attach) {
  let source = "GITHUB";
  let connected = new Set(); // providers with a stored connection
  let imports = []; // the project's, newest first
  const button = h("button", { type: "button", id: "import", "aria-haspopup": "dialog", onclick: open }, "Import");
  const radios = Object.entries(SOURCES).map(([value, spec]) =>
    h(
      "label",
      { class: "choice" },
      h("input", { type: "radio", name: "import-source", value, checked: value === source, onchange: () => choose(value) }),
      ` ${spec.choice}`,
    ),
  );
  const connection = h("div", { id: "import-connection", class: "stack tight" });
  const address = h("input", { id: "import-url", type: "url", autocomplete: "off", "aria-describedby": "import-url-hint" });
  const addressLabel = h("label", { for: "import-url" });
  const addressHint = h("span", { id: "import-url-hint", class: "hint" });
  // One token field, moved between renders, so that what is typed survives a redraw.
  const token = h("input", { id: "import-token", type: "password", autocomplete: "off", "aria-describedby": "import-token-hint" });
  const error = h("p", { id: "import-error", class: "error", role: "alert" });
  const list = h("ul", { id: "import-list", class: "people" });
  const close = h("button", { type: "button", class: "quiet", onclick: () => dialog.close() }, "Close");
  const form = h(
    "form",
    { class: "stack", onsubmit: submit },
    h("fieldset", { class: "row wrap choices" }, h("legend", {}, "Import from"), radios),
    connection,
    h("div", { class: "stack tight" }, addressLabel, address, addressHint),
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Import")),
    error,
  );
  const dialog = h(
    "dialog",
    { id: "import-dialog", class: "share-dialog", "aria-labelledby": "import-title" },
    h(
      "div",
      { class: "stack" },
      h("div", { class: "row between" }, h("h2", { id: "import-title" }, "Import"), close),
      form,
      h("h3", {}, "Imports of this project"),
      list,
    ),
  );
  dialog.addEventListener("close", () => button.focus());

  async function open() {
    error.textContent = "";
    renderSource();
    dialog.showModal();
    address.focus();
    try {
      const [connections, page] = await Promise.all([
        api.get("/api/oauth/connections"),
        api.get(`/api/projects/${view.id}/imports`),
      ]);
      // Merged, not replaced: a connection or an import made while these were on their way stays.
      connections.items.forEach((c) => connected.add(c.provider));
      const known = new Set(imports.map((i) => i.id));
      imports = [...imports, ...page.items.filter((i) => !known.has(i.id))];
      imports.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      renderSource();
      renderList();
    } catch (failure) {
      error.textContent = failure.message;
    }
  }

  function choose(value) {
    source = value;
    token.value = ""; // a token is for one provider only
    error.textContent = "";
    renderSource();
  }

  function renderSource() {
    const spec = SOURCES[source];
    addressLabel.textContent = spec.label;
    address.placeholder = spec.placeholder;
    addressHint.textContent = spec.hint;
    if (connected.has(spec.provider)) {
      return replaceChildren(connection, h("p", { class: "meta", dataset: { connected: "true" } }, `${spec.name}: connected.`));
    }
    replaceChildren(
      connection,
      h("label", { for: "import-token" }, `${spec.name} access token`),
      h("div", { class: "row" }, token, h("button", { type: "button", onclick: () => connect(spec) }, `Connect ${spec.name}`)),
      h("span", { id: "import-token-hint", class: "hint" }, `Connect ${spec.name} first: paste a personal access token. It is stored encrypted and never shown again.`),
    );
  }

  async function connect(spec) {
    error.textContent = "";
    if (!token.value.trim()) {
      error.textContent = `Paste a ${spec.name} token first.`;
      token.focus();
      return;
    }
    try {
      await api.put(`/api/oauth/connections/${spec.provider}`, { accessToken: token.value.trim(), scope: "read" });
      connected.add(spec.provider);
      token.value = "";
      renderSource();
      address.focus();
    } catch (failure) {
      error.textContent = `${spec.name} was not connected: ${failure.message}`;
    }
  }

  async function submit(event) {
    event.preventDefault();
    error.textContent = "";
    const spec = SOURCES[source];
    const parsed = (source === "GITHUB" ? parseGitHub : parseFigma)(address.value.trim());
    if (!parsed) {
      error.textContent = `That is not a ${spec.name} address like ${spec.placeholder}.`;
      address.focus();
      return;
    }
    if (!connected.has(spec.provider)) {
      error.textContent = `Connect ${spec.name} first: paste a token above.`;
      return;
    }
    try {
      const record = await api.post(`/api/projects/${view.id}/imports`, { source, ...parsed });
      importChanged(record);
      address.value = "";
      if (source === "FIGMA") {
        const refused = attach({ type: "FIGMA_FILE", url: record.sourceUrl, size: 0, importId: record.id }, `Figma: ${record.sourceName}`);
        if (refused) error.textContent = refused;
      }
    } catch (failure) {
      error.textContent = failure.message;
    }
  }

  /** An import was made or moved along (`import.updated`, or this tab's own answer). */
  function importChanged(record) {
    imports = [record, ...imports.filter((i) => i.id !== record.id)];
    renderList();
  }

  function renderList() {
    if (imports.length === 0) return replaceChildren(list, h("li", { class: "empty" }, "None yet."));
    replaceChildren(
      list,
      imports.map((record) =>
        h(
          "li",
          { dataset: { importId: record.id, status: record.status } },
          h(
            "div",
            { class: "stack tight grow" },
            h("strong", {}, `${SOURCES[record.source].name}: ${record.sourceName}`),
            h("span", { class: record.status === "FAILED" ? "error" : "meta" }, describe(record)),
          ),
        ),
      ),
    );
  }

  return { button, dialog, importChanged };
}

function describe(record) {
  const when = formatTime(record.updatedAt);
  if (record.status === "FAILED") return `Failed: ${record.error ?? "no reason given"}`;
  if (record.status === "COMPLETE" && record.source === "GITHUB") {
    return `Done ${when}: ${record.metadata?.fileCount ?? "its"} files are now the project's code.`;
  }
  if (record.status === "COMPLETE") return `Done ${when}: the assistant reads the design with the message it goes with.`;
  return `${STATUS_LABELS[record.status] ?? record.status} · ${when}`;
}
