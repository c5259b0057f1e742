-- 0004_import_queue: workers claim the oldest PENDING import and fail PROCESSING ones gone stale;
-- both look only at imports still in the queue.

CREATE INDEX imports_queue ON imports (status, id) WHERE status IN ('PENDING', 'PROCESSING');
