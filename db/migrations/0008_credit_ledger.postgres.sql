-- 0008_credit_ledger (PostgreSQL): credits over a sliding 24-hour window instead of a fixed window
-- opened by the first spend (which let 10 credits be spent in two minutes across its end, and put
-- a refund into whatever window was open then).
-- credit_spends: one row per credit spent; it counts while spent_at is within the last 24 hours
-- and refunded_at is NULL. A refund gives back the row of its run. run_id is SET NULL when the run
-- goes with its project: deleting a project gives no credit back.
-- usage keeps one row per user, the row a user's spends lock so that they take turns.

CREATE TABLE credit_spends (
    id          uuid PRIMARY KEY,
    user_id     varchar(255) NOT NULL,
    run_id      uuid REFERENCES agent_runs (id) ON DELETE SET NULL,
    spent_at    timestamptz  NOT NULL,
    refunded_at timestamptz
);
-- Counting a user's spends of the last 24 hours reads a range of this index.
CREATE INDEX credit_spends_window ON credit_spends (user_id, spent_at);
CREATE INDEX credit_spends_run_id ON credit_spends (run_id);

-- The windows still open carry over as the spends of the runs they counted: the latest
-- credits_used runs of the user that kept their credit, made since the window opened (a run's
-- created_at may precede the window's opening by the moment it took to spend its credit). A run
-- id serves as the id of its own carried-over spend.
INSERT INTO credit_spends (id, user_id, run_id, spent_at)
SELECT id, user_id, id, created_at
FROM (
    SELECT r.id, r.user_id, r.created_at, u.credits_used,
           row_number() OVER (PARTITION BY r.user_id ORDER BY r.created_at DESC) AS latest
    FROM agent_runs r
    JOIN usage u ON u.user_id = r.user_id
    WHERE r.credit_consumed
      AND u.window_ends_at > now()
      AND r.created_at > u.window_ends_at - interval '24 hours' - interval '1 minute'
) AS counted
WHERE latest <= credits_used;

ALTER TABLE usage DROP COLUMN credits_used;
ALTER TABLE usage DROP COLUMN window_ends_at;
