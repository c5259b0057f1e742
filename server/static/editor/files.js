// The file tree: a flat map of paths to a nested list, folders first, each level sorted by name.

export function buildTree(paths) {
  const root = { folders: new Map(), files: [] };
  for (const path of paths) {
    const parts = path.split("/");
    let node = root;
    for (const part of parts.slice(0, -1)) {
      if (!node.folders.has(part)) node.folders.set(part, { folders: new Map(), files: [] });
      node = node.folders.get(part);
    }
    node.files.push({ name: parts[parts.length - 1], path });
  }
  return sortNode(root);
}

function sortNode(node) {
  const folders = [...node.folders.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, child]) => ({ name, ...sortNode(child) }));
  const files = node.files.sort((a, b) => a.name.localeCompare(b.name));
  return { folders, files };
}

/** The file to show first: the entry page, else the first file of the tree. */
export function defaultPath(paths) {
  const preferred = ["index.html", "app/page.tsx", "src/App.tsx", "src/App.jsx", "src/App.vue"];
  return preferred.find((p) => paths.includes(p)) ?? [...paths].sort()[0] ?? null;
}
