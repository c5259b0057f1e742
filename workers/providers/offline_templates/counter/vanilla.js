function startApp(mount) {
  let count = 0;
  const shown = h("p", { class: "count", "aria-live": "polite" }, "0");

  function set(value) {
    count = value;
    shown.textContent = String(count);
  }

  mount.replaceChildren(
    h(
      "main",
      { class: "app" },
      h("h1", {}, "Counter"),
      shown,
      h(
        "div",
        { class: "row center" },
        h("button", { type: "button", class: "secondary", onclick: () => set(count - 1) }, "Decrease"),
        h("button", { type: "button", class: "secondary", onclick: () => set(0) }, "Reset"),
        h("button", { type: "button", onclick: () => set(count + 1) }, "Increase"),
      ),
    ),
  );
}
