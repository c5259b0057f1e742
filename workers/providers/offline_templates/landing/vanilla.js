function startApp(mount) {
  const HIGHLIGHTS = [
    ["Quick to start", "Everything is ready in minutes, with nothing to install."],
    ["Made for people", "Clear, friendly and easy to use on any screen."],
    ["Here to help", "Questions? We answer every message ourselves."],
  ];
  const status = h("p", { class: "thanks", role: "status" });
  const form = h(
    "form",
    {
      class: "add-form",
      onsubmit: (event) => {
        event.preventDefault();
        const email = mount.querySelector("#email").value.trim();
        form.remove();
        status.textContent = `Thank you! We'll be in touch at ${email}.`;
      },
    },
    h("label", { for: "email" }, "Email address"),
    h(
      "div",
      { class: "row" },
      h("input", { id: "email", type: "email", required: true, autocomplete: "email", placeholder: "you@example.com" }),
      h("button", { type: "submit" }, "Sign up"),
    ),
  );

  mount.replaceChildren(
    h(
      "main",
      { class: "app landing" },
      h("p", { class: "eyebrow" }, "Coming soon"),
      h("h1", {}, "__HEADLINE__"),
      h("p", { class: "lead" }, "A simple, friendly place to get started. Join the list to hear first when we open."),
      h(
        "ul",
        { class: "features" },
        HIGHLIGHTS.map(([title, text]) => h("li", {}, h("h2", {}, title), h("p", {}, text))),
      ),
      h(
        "section",
        { class: "signup", "aria-labelledby": "signup-title" },
        h("h2", { id: "signup-title" }, "Stay in the loop"),
        form,
        status,
      ),
    ),
  );
}
