"use client";

import { useState } from "react";

export default function Home() {
  const [count, setCount] = useState(0);

  return (
    <main className="app">
      <h1>Counter</h1>
      <p className="count" aria-live="polite">
        {count}
      </p>
      <div className="row center">
        <button type="button" className="secondary" onClick={() => setCount(count - 1)}>
          Decrease
        </button>
        <button type="button" className="secondary" onClick={() => setCount(0)}>
          Reset
        </button>
        <button type="button" onClick={() => setCount(count + 1)}>
          Increase
        </button>
      </div>
    </main>
  );
}
