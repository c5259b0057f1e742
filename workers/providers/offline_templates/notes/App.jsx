import { useEffect, useState } from "react";

const STORAGE_KEY = "notes";

function loadNotes() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "[]");
    return Array.isArray(saved) ? saved : [];
  } catch {
    return [];
  }
}

export default function App() {
  const [notes, setNotes] = useState(loadNotes);
  const [draft, setDraft] = useState("");
  const [editingId, setEditingId] = useState(null);
  const [editDraft, setEditDraft] = useState("");

  useEffect(() => {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(notes));
  }, [notes]);

  function add(event) {
    event.preventDefault();
    const text = draft.trim();
    if (!text) return;
    const id = Math.max(0, ...notes.map((note) => note.id)) + 1;
    setNotes([{ id, text }, ...notes]);
    setDraft("");
  }

  function edit(note) {
    setEditingId(note.id);
    setEditDraft(note.text);
  }

  function save(id) {
    const text = editDraft.trim();
    if (!text) return;
    setNotes(notes.map((note) => (note.id === id ? { ...note, text } : note)));
    setEditingId(null);
  }

  function remove(id) {
    setNotes(notes.filter((note) => note.id !== id));
  }

  return (
    <main className="app">
      <h1>Notes</h1>
      <form className="add-form" onSubmit={add}>
        <label htmlFor="new-note">New note</label>
        <textarea
          id="new-note"
          rows={3}
          placeholder="Write something…"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
        />
        <button type="submit">Add note</button>
      </form>
      {notes.length === 0 && <p className="empty">No notes yet.</p>}
      <ul className="items">
        {notes.map((note) =>
          note.id === editingId ? (
            <li key={note.id} className="item note">
              <label className="visually-hidden" htmlFor={`edit-note-${note.id}`}>
                Edit note
              </label>
              <textarea
                id={`edit-note-${note.id}`}
                rows={3}
                value={editDraft}
                onChange={(event) => setEditDraft(event.target.value)}
                autoFocus
              />
              <div className="row">
                <button type="button" onClick={() => save(note.id)}>
                  Save
                </button>
                <button type="button" className="secondary" onClick={() => setEditingId(null)}>
                  Cancel
                </button>
              </div>
            </li>
          ) : (
            <li key={note.id} className="item note">
              <p>{note.text}</p>
              <div className="row">
                <button type="button" className="link" onClick={() => edit(note)}>
                  Edit
                </button>
                <button type="button" className="link danger" onClick={() => remove(note.id)}>
                  Delete
                </button>
              </div>
            </li>
          ),
        )}
      </ul>
    </main>
  );
}
