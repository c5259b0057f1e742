-- 0012_run_checkpoints (PostgreSQL): what a server run's model calls cost, and where the run
-- stood after its last completed round, so that a run taken over after a crash goes on from
-- there instead of starting again.
--   agent_runs.usage: {"rounds": [{input_tokens, output_tokens, cache_read_input_tokens,
--     cache_creation_input_tokens}, ...]}, one entry per completed model call; null before one.
--   run_checkpoints: one row per running run, replaced after each round, deleted at its end;
--     `state` is the worker's own encoding (its conversation with the model, what it saw and
--     wrote of the code), `reply` the reply's text at that round's end.

ALTER TABLE agent_runs ADD COLUMN usage json;

CREATE TABLE run_checkpoints (
    run_id     uuid        PRIMARY KEY REFERENCES agent_runs (id) ON DELETE CASCADE,
    rounds     integer     NOT NULL,
    reply      text        NOT NULL,
    state      json        NOT NULL,
    updated_at timestamptz NOT NULL
);
