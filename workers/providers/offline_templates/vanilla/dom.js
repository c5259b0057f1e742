// An element with attributes, `on<event>` listeners and children (null and false are skipped).
function h(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "value" || name === "checked") node[name] = value;
    else if (value !== false && value != null) node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.flat().filter((child) => child != null && child !== false));
  return node;
}

// Redraws the app; the element that had focus (found again by id) keeps it, for keyboard users.
function show(mount, tree) {
  const focusedId = document.activeElement?.id;
  mount.replaceChildren(tree);
  if (focusedId) document.getElementById(focusedId)?.focus();
}
