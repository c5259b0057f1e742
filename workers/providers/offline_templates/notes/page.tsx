"use client";

import { type FormEvent, useEffect, useState } from "react";

type Note = { id: number; text: string };

const STORAGE_KEY = "notes";

function loadNotes(): Note[] {
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "[]");
    return Array.isArray(saved) ? saved : [];
  } catch {
    return [];
  }
}

export default function Home() {
  const [notes, setNotes] = useState<Note[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [draft, setDraft] = useState("");
  const [editingId, setEditingId] = useState<number | null>(null);
  const [editDraft, setEditDraft] = useState("");

  // The server renders no notes; the saved ones are read once the page runs in the browser.
  useEffect(() => {
    setNotes(loadNotes());
    setLoaded(true);
  }, []);

  useEffect(() => {
    if (loaded) localStorage.setItem(STORAGE_KEY, JSON.stringify(notes));
  }, [notes, loaded]);

  function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = draft.trim();
    if (!text) return;
    const id = Math.max(0, ...notes.map((note) => note.id)) + 1;
    setNotes([{ id, text }, ...notes]);
    setDraft("");
  }

  function edit(note: Note) {
    setEditingId(note.id);
    setEditDraft(note.text);
  }

  function save(id: number) {
    const text = editDraft.trim();
    if (!text) return;
    setNotes(notes.map((note) => (note.id === id ? { ...note, text } : note)));
    setEditingId(null);
  }

  function remove(id: number) {
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
