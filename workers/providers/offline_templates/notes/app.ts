import { Component, ElementRef, effect, signal, viewChild } from "@angular/core";
import { FormsModule } from "@angular/forms";

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

@Component({
  selector: "app-root",
  imports: [FormsModule],
  template: `
    <main class="app">
      <h1>Notes</h1>
      <form class="add-form" (ngSubmit)="add()">
        <label for="new-note">New note</label>
        <textarea id="new-note" name="note" [(ngModel)]="draft" rows="3" placeholder="Write something…"></textarea>
        <button type="submit">Add note</button>
      </form>
      @if (notes().length === 0) {
        <p class="empty">No notes yet.</p>
      }
      <ul class="items">
        @for (note of notes(); track note.id) {
          <li class="item note">
            @if (note.id === editingId()) {
              <label class="visually-hidden" [for]="'edit-note-' + note.id">Edit note</label>
              <textarea #editor [id]="'edit-note-' + note.id" [(ngModel)]="editDraft" rows="3"></textarea>
              <div class="row">
                <button type="button" (click)="save(note.id)">Save</button>
                <button type="button" class="secondary" (click)="editingId.set(null)">Cancel</button>
              </div>
            } @else {
              <p>{{ note.text }}</p>
              <div class="row">
                <button type="button" class="link" (click)="edit(note)">Edit</button>
                <button type="button" class="link danger" (click)="remove(note.id)">Delete</button>
              </div>
            }
          </li>
        }
      </ul>
    </main>
  `,
})
export class App {
  protected readonly notes = signal<Note[]>(loadNotes());
  protected readonly draft = signal("");
  protected readonly editingId = signal<number | null>(null);
  protected readonly editDraft = signal("");
  private readonly editor = viewChild<ElementRef<HTMLTextAreaElement>>("editor");

  constructor() {
    effect(() => localStorage.setItem(STORAGE_KEY, JSON.stringify(this.notes())));
    // Focuses the note's editor as it appears.
    effect(() => this.editor()?.nativeElement.focus());
  }

  protected add(): void {
    const text = this.draft().trim();
    if (!text) return;
    const id = Math.max(0, ...this.notes().map((note) => note.id)) + 1;
    this.notes.update((notes) => [{ id, text }, ...notes]);
    this.draft.set("");
  }

  protected edit(note: Note): void {
    this.editingId.set(note.id);
    this.editDraft.set(note.text);
  }

  protected save(id: number): void {
    const text = this.editDraft().trim();
    if (!text) return;
    this.notes.update((notes) => notes.map((note) => (note.id === id ? { ...note, text } : note)));
    this.editingId.set(null);
  }

  protected remove(id: number): void {
    this.notes.update((notes) => notes.filter((note) => note.id !== id));
  }
}
