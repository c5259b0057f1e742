function startApp(mount) {
  const STORAGE_KEY = "notes";
  let notes = loadList(STORAGE_KEY);
  let editingId = null;

  function update(next) {
    notes = next;
    saveList(STORAGE_KEY, notes);
  }

  function add(event) {
    event.preventDefault();
    const text = mount.querySelector("#new-note").value.trim();
    if (!text) return;
    const id = Math.max(0, ...notes.map((note) => note.id)) + 1;
    update([{ id, text }, ...notes]);
    render();
    mount.querySelector("#new-note").focus(); // the form was drawn anew: write the next note straight away
  }

  function edit(id) {
    editingId = id;
    render();
    mount.querySelector(`#edit-note-${id}`).focus();
  }

  function save(id) {
    const text = mount.querySelector(`#edit-note-${id}`).value.trim();
    if (!text) return;
    update(notes.map((note) => (note.id === id ? { ...note, text } : note)));
    stopEditing(id);
  }

  function stopEditing(id) {
    editingId = null;
    render();
    mount.querySelector(`#edit-${id}`).focus();
  }

  function remove(id) {
    update(notes.filter((note) => note.id !== id));
    render();
  }

  function noteView(note) {
    if (note.id === editingId) {
      return h(
        "li",
        { class: "item note" },
        h("label", { class: "visually-hidden", for: `edit-note-${note.id}` }, "Edit note"),
        h("textarea", { id: `edit-note-${note.id}`, rows: 3, value: note.text }),
        h(
          "div",
          { class: "row" },
          h("button", { type: "button", onclick: () => save(note.id) }, "Save"),
          h("button", { type: "button", class: "secondary", onclick: () => stopEditing(note.id) }, "Cancel"),
        ),
      );
    }
    return h(
      "li",
      { class: "item note" },
      h("p", {}, note.text),
      h(
        "div",
        { class: "row" },
        h("button", { type: "button", id: `edit-${note.id}`, class: "link", onclick: () => edit(note.id) }, "Edit"),
        h("button", { type: "button", class: "link danger", onclick: () => remove(note.id) }, "Delete"),
      ),
    );
  }

  function render() {
    show(
      mount,
      h(
        "main",
        { class: "app" },
        h("h1", {}, "Notes"),
        h(
          "form",
          { class: "add-form", onsubmit: add },
          h("label", { for: "new-note" }, "New note"),
          h("textarea", { id: "new-note", rows: 3, placeholder: "Write something…" }),
          h("button", { type: "submit" }, "Add note"),
        ),
        notes.length === 0 && h("p", { class: "empty" }, "No notes yet."),
        h("ul", { class: "items" }, notes.map(noteView)),
      ),
    );
  }

  render();
}
