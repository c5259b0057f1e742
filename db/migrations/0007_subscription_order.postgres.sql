-- 0007_subscription_order (PostgreSQL): Polar events are applied in the order of the subscription's
-- own modifications, not in the order they arrive (a retried `subscription.updated` must not undo a
-- later `revoked`).
-- subscriptions.polar_modified_at: the modification time of the state stored (the subscription's
-- `modified_at`, else the event's timestamp); polar_sent_at: when its delivery was signed, which
-- orders events about the same moment. NULL for rows stored before, which any event may replace.
-- webhook_deliveries.outcome: APPLIED, or STALE for an event older than what was stored, which
-- changed nothing.

ALTER TABLE subscriptions ADD COLUMN polar_modified_at timestamptz;
ALTER TABLE subscriptions ADD COLUMN polar_sent_at timestamptz;
ALTER TABLE webhook_deliveries ADD COLUMN outcome varchar(16) NOT NULL DEFAULT 'APPLIED';
