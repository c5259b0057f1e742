// A preview served as plain files runs in a sandboxed frame, whose opaque origin has no storage:
// the app then keeps its items for the visit only.
function loadList(key) {
  try {
    const saved = JSON.parse(localStorage.getItem(key) ?? "[]");
    return Array.isArray(saved) ? saved : [];
  } catch {
    return [];
  }
}

function saveList(key, items) {
  try {
    localStorage.setItem(key, JSON.stringify(items));
  } catch {
    // No storage here (see above).
  }
}
