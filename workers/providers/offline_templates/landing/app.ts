import { Component, signal } from "@angular/core";
import { FormsModule } from "@angular/forms";

@Component({
  selector: "app-root",
  imports: [FormsModule],
  template: `
    <main class="app landing">
      <p class="eyebrow">Coming soon</p>
      <h1>{{ headline }}</h1>
      <p class="lead">A simple, friendly place to get started. Join the list to hear first when we open.</p>
      <ul class="features">
        @for (highlight of highlights; track highlight.title) {
          <li>
            <h2>{{ highlight.title }}</h2>
            <p>{{ highlight.text }}</p>
          </li>
        }
      </ul>
      <section class="signup" aria-labelledby="signup-title">
        <h2 id="signup-title">Stay in the loop</h2>
        @if (!signedUp()) {
          <form class="add-form" ngNativeValidate (ngSubmit)="signedUp.set(true)">
            <label for="email">Email address</label>
            <div class="row">
              <input
                id="email"
                name="email"
                type="email"
                required
                autocomplete="email"
                placeholder="you@example.com"
                [(ngModel)]="email"
              />
              <button type="submit">Sign up</button>
            </div>
          </form>
        }
        <p class="thanks" role="status">
          @if (signedUp()) {
            Thank you! We'll be in touch at {{ email().trim() }}.
          }
        </p>
      </section>
    </main>
  `,
})
export class App {
  protected readonly headline = "__HEADLINE__";
  protected readonly highlights = [
    { title: "Quick to start", text: "Everything is ready in minutes, with nothing to install." },
    { title: "Made for people", text: "Clear, friendly and easy to use on any screen." },
    { title: "Here to help", text: "Questions? We answer every message ourselves." },
  ];
  protected readonly email = signal("");
  protected readonly signedUp = signal(false);
}
