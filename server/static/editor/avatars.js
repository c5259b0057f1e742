// People's avatars: their picture when the identity provider gives one, else their initials in a
// circle whose colour comes from their user id, so a person has the same colour on every screen and
// on their cursor in the shared code.

import { h } from "./dom.js";

/** person: {userId, name?, imageUrl?}. */
export function displayName(person) {
  return person.name || person.userId;
}

/**
 * The avatar as one image named by `label` (also its tooltip); with a null label it is decoration
 * beside a name already written out, hidden from assistive technology.
 */
export function avatar(person, label = displayName(person), className = "") {
  const element = h("span", {
    class: `avatar ${className}`.trim(),
    role: label === null ? null : "img",
    "aria-label": label,
    "aria-hidden": label === null ? "true" : null,
    title: label ?? displayName(person),
    dataset: { userId: person.userId },
  });
  // A custom property set through the CSSOM: the page's policy refuses inline style attributes.
  element.style.setProperty("--avatar-hue", String(hueOf(person.userId)));
  const initials = h("span", { "aria-hidden": "true" }, initialsOf(person));
  if (isShowable(person.imageUrl)) {
    const picture = h("img", { src: person.imageUrl, alt: "", referrerpolicy: "no-referrer", loading: "lazy" });
    picture.addEventListener("error", () => picture.replaceWith(initials)); // a picture gone: initials
    element.append(picture);
  } else {
    element.append(initials);
  }
  return element;
}

/** Only what the page's image policy lets through (`https:` and `data:`). */
function isShowable(url) {
  return typeof url === "string" && /^(https:|data:image\/)/.test(url);
}

function initialsOf(person) {
  const words = (person.name || person.userId).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  if (words.length === 0) return "?";
  const first = (word) => Array.from(word)[0]; // a letter outside the BMP is two UTF-16 units
  const letters =
    words.length > 1 ? first(words[0]) + first(words[words.length - 1]) : Array.from(words[0]).slice(0, 2).join("");
  return letters.toUpperCase();
}

/** The colour of a person's cursor in shared code: their avatar's hue, as the `#rrggbb` that
 * y-codemirror wants (it appends an alpha for their selection's background). */
export function colorOf(userId) {
  const hue = hueOf(userId);
  const saturation = 0.6;
  const lightness = 0.4; // dark enough for the white name label on it
  const a = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n) => {
    const k = (n + hue / 30) % 12;
    const value = lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255).toString(16).padStart(2, "0");
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

/** A hue from 0 to 359 that only the user id decides (FNV-1a over its UTF-16 units). */
function hueOf(userId) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i += 1) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % 360;
}
