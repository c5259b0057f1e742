import { Component, computed, effect, signal } from "@angular/core";
import { FormsModule } from "@angular/forms";

type Todo = { id: number; text: string; done: boolean };
type Filter = "all" | "active" | "done";

const STORAGE_KEY = "todo-items";

function loadTodos(): Todo[] {
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "[]");
    return Array.isArray(saved) ? saved : [];
  } catch {
    return [];
  }
}

@Component({
  selector: "app-root",
  imports: [FormsModule],
  template: `
    <main class="app">
      <h1>To-do list</h1>
      <form class="add-form" (ngSubmit)="add()">
        <label for="new-task">New task</label>
        <div class="row">
          <input id="new-task" name="task" [(ngModel)]="draft" placeholder="What needs doing?" autocomplete="off" />
          <button type="submit">Add</button>
        </div>
      </form>
      <div class="filters" role="group" aria-label="Show">
        @for (option of filters; track option.name) {
          <button
            type="button"
            class="secondary"
            [attr.aria-pressed]="filter() === option.name"
            (click)="filter.set(option.name)"
          >
            {{ option.label }}
          </button>
        }
      </div>
      @if (visible().length === 0) {
        <p class="empty">Nothing here yet.</p>
      }
      <ul class="items">
        @for (todo of visible(); track todo.id) {
          <li [class]="todo.done ? 'item done' : 'item'">
            <label class="check">
              <input type="checkbox" [checked]="todo.done" (change)="toggle(todo.id)" />
              <span>{{ todo.text }}</span>
            </label>
            <button type="button" class="link danger" [attr.aria-label]="'Delete “' + todo.text + '”'" (click)="remove(todo.id)">
              Delete
            </button>
          </li>
        }
      </ul>
      <p class="status">{{ left() }} {{ left() === 1 ? "task" : "tasks" }} left</p>
    </main>
  `,
})
export class App {
  protected readonly filters: { name: Filter; label: string }[] = [
    { name: "all", label: "All" },
    { name: "active", label: "Active" },
    { name: "done", label: "Done" },
  ];
  protected readonly todos = signal<Todo[]>(loadTodos());
  protected readonly draft = signal("");
  protected readonly filter = signal<Filter>("all");
  protected readonly visible = computed(() =>
    this.todos().filter((todo) => this.filter() === "all" || todo.done === (this.filter() === "done")),
  );
  protected readonly left = computed(() => this.todos().filter((todo) => !todo.done).length);

  constructor() {
    effect(() => localStorage.setItem(STORAGE_KEY, JSON.stringify(this.todos())));
  }

  protected add(): void {
    const text = this.draft().trim();
    if (!text) return;
    const id = Math.max(0, ...this.todos().map((todo) => todo.id)) + 1;
    this.todos.update((todos) => [...todos, { id, text, done: false }]);
    this.draft.set("");
  }

  protected toggle(id: number): void {
    this.todos.update((todos) => todos.map((todo) => (todo.id === id ? { ...todo, done: !todo.done } : todo)));
  }

  protected remove(id: number): void {
    this.todos.update((todos) => todos.filter((todo) => todo.id !== id));
  }
}
