-- 0011_shared_docs (PostgreSQL): each project's shared code document (a Yjs document) as the
-- updates that made it. Ids are UUIDv7, so ordering by id is roughly commit order; the order does
-- not matter for correctness (applying Yjs updates commutes). Compaction replaces many rows with
-- one merged row in a transaction and deletes exactly the rows it merged.

CREATE TABLE doc_updates (
    id         uuid PRIMARY KEY,
    project_id uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    data       bytea       NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX doc_updates_project ON doc_updates (project_id, id);
