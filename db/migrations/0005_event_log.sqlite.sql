-- 0005_event_log: the transactional outbox. Each project's events are written in the transaction
-- that made the change, numbered in commit order by the project's stream row (SQLite's writers are
-- serialized anyway). No foreign key to projects: a project's last event (project.deleted)
-- outlives the project.

CREATE TABLE project_streams (
    project_id    UUID PRIMARY KEY,
    seq           INTEGER NOT NULL,
    published_seq INTEGER NOT NULL
);
-- The relay looks only at streams with events the broker may not have yet.
CREATE INDEX project_streams_unpublished ON project_streams (project_id) WHERE published_seq < seq;

CREATE TABLE project_events (
    project_id UUID    NOT NULL,
    seq        INTEGER NOT NULL,
    payload    BLOB    NOT NULL,
    fence      VARCHAR(255),
    PRIMARY KEY (project_id, seq)
);
