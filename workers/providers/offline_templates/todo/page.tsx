"use client";

import { type FormEvent, useEffect, useState } from "react";

type Todo = { id: number; text: string; done: boolean };
type Filter = "all" | "active" | "done";

const STORAGE_KEY = "todo-items";
const FILTERS: Record<Filter, string> = { all: "All", active: "Active", done: "Done" };

function loadTodos(): Todo[] {
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "[]");
    return Array.isArray(saved) ? saved : [];
  } catch {
    return [];
  }
}

export default function Home() {
  const [todos, setTodos] = useState<Todo[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [draft, setDraft] = useState("");
  const [filter, setFilter] = useState<Filter>("all");

  // The server renders the empty list; the saved one is read once the page runs in the browser.
  useEffect(() => {
    setTodos(loadTodos());
    setLoaded(true);
  }, []);

  useEffect(() => {
    if (loaded) localStorage.setItem(STORAGE_KEY, JSON.stringify(todos));
  }, [todos, loaded]);

  function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = draft.trim();
    if (!text) return;
    const id = Math.max(0, ...todos.map((todo) => todo.id)) + 1;
    setTodos([...todos, { id, text, done: false }]);
    setDraft("");
  }

  function toggle(id: number) {
    setTodos(todos.map((todo) => (todo.id === id ? { ...todo, done: !todo.done } : todo)));
  }

  function remove(id: number) {
    setTodos(todos.filter((todo) => todo.id !== id));
  }

  const visible = todos.filter((todo) => filter === "all" || todo.done === (filter === "done"));
  const left = todos.filter((todo) => !todo.done).length;

  return (
    <main className="app">
      <h1>To-do list</h1>
      <form className="add-form" onSubmit={add}>
        <label htmlFor="new-task">New task</label>
        <div className="row">
          <input
            id="new-task"
            placeholder="What needs doing?"
            autoComplete="off"
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
          />
          <button type="submit">Add</button>
        </div>
      </form>
      <div className="filters" role="group" aria-label="Show">
        {(Object.keys(FILTERS) as Filter[]).map((name) => (
          <button
            key={name}
            type="button"
            className="secondary"
            aria-pressed={filter === name}
            onClick={() => setFilter(name)}
          >
            {FILTERS[name]}
          </button>
        ))}
      </div>
      {visible.length === 0 && <p className="empty">Nothing here yet.</p>}
      <ul className="items">
        {visible.map((todo) => (
          <li key={todo.id} className={todo.done ? "item done" : "item"}>
            <label className="check">
              <input type="checkbox" checked={todo.done} onChange={() => toggle(todo.id)} />
              <span>{todo.text}</span>
            </label>
            <button
              type="button"
              className="link danger"
              aria-label={`Delete “${todo.text}”`}
              onClick={() => remove(todo.id)}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
      <p className="status">
        {left} {left === 1 ? "task" : "tasks"} left
      </p>
    </main>
  );
}
