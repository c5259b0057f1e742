-- 0003_run_replies: the ASSISTANT message a server run streams into, so that a run taken again
-- after a lost lease continues in the same message instead of leaving a dead one behind.

ALTER TABLE agent_runs ADD COLUMN reply_message_id UUID REFERENCES messages (id) ON DELETE SET NULL;
CREATE INDEX agent_runs_reply_message_id ON agent_runs (reply_message_id);
