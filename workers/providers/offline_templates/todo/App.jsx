import { useEffect, useState } from "react";

const STORAGE_KEY = "todo-items";
const FILTERS = { all: "All", active: "Active", done: "Done" };

function loadTodos() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "[]");
    return Array.isArray(saved) ? saved : [];
  } catch {
    return [];
  }
}

export default function App() {
  const [todos, setTodos] = useState(loadTodos);
  const [draft, setDraft] = useState("");
  const [filter, setFilter] = useState("all");

  useEffect(() => {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(todos));
  }, [todos]);

  function add(event) {
    event.preventDefault();
    const text = draft.trim();
    if (!text) return;
    const id = Math.max(0, ...todos.map((todo) => todo.id)) + 1;
    setTodos([...todos, { id, text, done: false }]);
    setDraft("");
  }

  function toggle(id) {
    setTodos(todos.map((todo) => (todo.id === id ? { ...todo, done: !todo.done } : todo)));
  }

  function remove(id) {
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
        {Object.entries(FILTERS).map(([name, label]) => (
          <button
            key={name}
            type="button"
            className="secondary"
            aria-pressed={filter === name}
            onClick={() => setFilter(name)}
          >
            {label}
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
