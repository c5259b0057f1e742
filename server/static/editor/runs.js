// What the page makes of a project's runs (API.md, `run.updated`): which one is the current reply,
// which prompts wait behind it, and whether a run is being retried after an interruption.

const ACTIVE_STATUSES = new Set(["PENDING", "RUNNING"]);

export function isActive(run) {
  return ACTIVE_STATUSES.has(run?.status);
}

function byCreation(runs) {
  // ISO 8601 UTC with milliseconds: the strings sort as the times do.
  return [...runs.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The run the stage line is about: the one running, else the first waiting, else the newest. */
export function currentRun(runs) {
  const sorted = byCreation(runs);
  return sorted.find((r) => r.status === "RUNNING") ?? sorted.find((r) => r.status === "PENDING") ?? sorted.at(-1) ?? null;
}

/** The runs waiting behind `run` (a project runs one at a time, oldest first). */
export function queuedBehind(runs, run) {
  if (!run || !isActive(run)) return [];
  return byCreation(runs).filter((r) => r.status === "PENDING" && r.id !== run.id);
}

/**
 * Whether `run` was interrupted (its worker crashed or shut down) and runs again: back to PENDING
 * after it had started, or RUNNING on a second attempt. `seen` holds the ids of runs this page saw
 * go back, whose count of attempts the server does not raise (a released attempt does not count).
 */
export function wasInterrupted(run, seen) {
  if (run.attempts > 1) return true;
  if (run.status === "PENDING" && (run.startedAt || run.replyMessageId)) return true;
  return seen.has(run.id);
}

/** The attempt an interrupted run is on, or about to start: the second at least. */
export function attemptOf(run) {
  const attempt = run.status === "PENDING" ? run.attempts + 1 : run.attempts;
  return Math.max(2, attempt);
}

/** The run of a message: the one it asked for (a USER message) or the one that wrote it. */
export function runOfMessage(runs, message) {
  for (const run of runs.values()) {
    if (run.messageId === message.id || run.replyMessageId === message.id) return run;
  }
  return null;
}
