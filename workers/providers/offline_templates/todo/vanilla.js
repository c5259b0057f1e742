function startApp(mount) {
  const STORAGE_KEY = "todo-items";
  const FILTERS = { all: "All", active: "Active", done: "Done" };
  let todos = loadList(STORAGE_KEY);
  let filter = "all";

  function update(next) {
    todos = next;
    saveList(STORAGE_KEY, todos);
    render();
  }

  function add(event) {
    event.preventDefault();
    const input = mount.querySelector("#new-task");
    const text = input.value.trim();
    if (!text) return;
    const id = Math.max(0, ...todos.map((todo) => todo.id)) + 1;
    update([...todos, { id, text, done: false }]);
    mount.querySelector("#new-task").focus(); // the form was drawn anew: type the next task straight away
  }

  function toggle(id) {
    update(todos.map((todo) => (todo.id === id ? { ...todo, done: !todo.done } : todo)));
  }

  function remove(id) {
    update(todos.filter((todo) => todo.id !== id));
  }

  function render() {
    const visible = todos.filter((todo) => filter === "all" || todo.done === (filter === "done"));
    const left = todos.filter((todo) => !todo.done).length;
    show(
      mount,
      h(
        "main",
        { class: "app" },
        h("h1", {}, "To-do list"),
        h(
          "form",
          { class: "add-form", onsubmit: add },
          h("label", { for: "new-task" }, "New task"),
          h(
            "div",
            { class: "row" },
            h("input", { id: "new-task", placeholder: "What needs doing?", autocomplete: "off" }),
            h("button", { type: "submit" }, "Add"),
          ),
        ),
        h(
          "div",
          { class: "filters", role: "group", "aria-label": "Show" },
          Object.entries(FILTERS).map(([name, label]) =>
            h(
              "button",
              {
                type: "button",
                id: `filter-${name}`,
                class: "secondary",
                "aria-pressed": String(filter === name),
                onclick: () => {
                  filter = name;
                  render();
                },
              },
              label,
            ),
          ),
        ),
        visible.length === 0 && h("p", { class: "empty" }, "Nothing here yet."),
        h(
          "ul",
          { class: "items" },
          visible.map((todo) =>
            h(
              "li",
              { class: todo.done ? "item done" : "item" },
              h(
                "label",
                { class: "check" },
                h("input", {
                  type: "checkbox",
                  id: `todo-${todo.id}`,
                  checked: todo.done,
                  onchange: () => toggle(todo.id),
                }),
                h("span", {}, todo.text),
              ),
              h(
                "button",
                {
                  type: "button",
                  class: "link danger",
                  "aria-label": `Delete “${todo.text}”`,
                  onclick: () => remove(todo.id),
                },
                "Delete",
              ),
            ),
          ),
        ),
        h("p", { class: "status" }, `${left} ${left === 1 ? "task" : "tasks"} left`),
      ),
    );
  }

  render();
}
