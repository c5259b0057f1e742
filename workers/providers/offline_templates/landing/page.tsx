"use client";

import { type FormEvent, useState } from "react";

const HEADLINE = "__HEADLINE__";
const HIGHLIGHTS = [
  ["Quick to start", "Everything is ready in minutes, with nothing to install."],
  ["Made for people", "Clear, friendly and easy to use on any screen."],
  ["Here to help", "Questions? We answer every message ourselves."],
];

export default function Home() {
  const [email, setEmail] = useState("");
  const [signedUp, setSignedUp] = useState(false);

  function signUp(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSignedUp(true);
  }

  return (
    <main className="app landing">
      <p className="eyebrow">Coming soon</p>
      <h1>{HEADLINE}</h1>
      <p className="lead">A simple, friendly place to get started. Join the list to hear first when we open.</p>
      <ul className="features">
        {HIGHLIGHTS.map(([title, text]) => (
          <li key={title}>
            <h2>{title}</h2>
            <p>{text}</p>
          </li>
        ))}
      </ul>
      <section className="signup" aria-labelledby="signup-title">
        <h2 id="signup-title">Stay in the loop</h2>
        {!signedUp && (
          <form className="add-form" onSubmit={signUp}>
            <label htmlFor="email">Email address</label>
            <div className="row">
              <input
                id="email"
                type="email"
                required
                autoComplete="email"
                placeholder="you@example.com"
                value={email}
                onChange={(event) => setEmail(event.target.value)}
              />
              <button type="submit">Sign up</button>
            </div>
          </form>
        )}
        <p className="thanks" role="status">
          {signedUp && `Thank you! We'll be in touch at ${email.trim()}.`}
        </p>
      </section>
    </main>
  );
}
