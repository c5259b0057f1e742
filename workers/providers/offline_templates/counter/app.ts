import { Component, signal } from "@angular/core";

@Component({
  selector: "app-root",
  template: `
    <main class="app">
      <h1>Counter</h1>
      <p class="count" aria-live="polite">{{ count() }}</p>
      <div class="row center">
        <button type="button" class="secondary" (click)="change(-1)">Decrease</button>
        <button type="button" class="secondary" (click)="count.set(0)">Reset</button>
        <button type="button" (click)="change(1)">Increase</button>
      </div>
    </main>
  `,
})
export class App {
  protected readonly count = signal(0);

  protected change(by: number): void {
    this.count.update((count) => count + by);
  }
}
