// Building DOM nodes without innerHTML: every text a user or a model wrote goes in as a text node.

/** h("button", {class: "x", onclick: f}, "Label", child...) */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (name in element && typeof value !== "string") {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

/** A time in the reader's own zone: the hour on the same day, else the date too. */
export function formatTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay
    ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

const TITLE_CHARS = 48;

/** A version's title short enough for a line: cut where a word ends, with an ellipsis, and
 * Markdown's bold marks and backticks left out. A title the server already cut (older servers cut
 * inside a word, at 80 characters) is cut again here, so that its last, perhaps partial, word goes. */
export function shortTitle(title, max = TITLE_CHARS) {
  let text = String(title ?? "").replace(/[`*]+/g, "").replace(/\s+/g, " ").trim();
  let cut = text.endsWith("…");
  if (cut) text = text.slice(0, -1).trimEnd();
  const chars = Array.from(text);
  // The first sentence, when it fits, says more than as many words cut from a longer one.
  const sentence = /^(.{12,}?)[.!?](\s|$)/.exec(text)?.[1];
  if (chars.length > max && sentence && Array.from(sentence).length <= max) {
    text = sentence;
    cut = true;
  } else if (chars.length > max) {
    const head = chars.slice(0, max + 1).join("");
    const space = head.lastIndexOf(" ");
    // One word longer than the line is the only case cut inside a word.
    text = space > 0 ? head.slice(0, space) : chars.slice(0, max).join("");
    cut = true;
  }
  if (!cut) return text || "Untitled version";
  return `${text.replace(/[\s,;:.(–—-]+$/, "")}…`;
}
