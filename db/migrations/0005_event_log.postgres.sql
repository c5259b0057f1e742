-- 0005_event_log: the transactional outbox. Each project's events are written in the transaction
-- that made the change, numbered in commit order by the project's stream row: the transaction that
-- takes the next number keeps the row locked until it commits, so numbers follow commit order.
-- No foreign key to projects: a project's last event (project.deleted) outlives the project.

CREATE TABLE project_streams (
    project_id    uuid PRIMARY KEY,
    seq           integer NOT NULL,
    published_seq integer NOT NULL
);
-- The relay looks only at streams with events the broker may not have yet.
CREATE INDEX project_streams_unpublished ON project_streams (project_id) WHERE published_seq < seq;

CREATE TABLE project_events (
    project_id uuid    NOT NULL,
    seq        integer NOT NULL,
    payload    bytea   NOT NULL,
    fence      varchar(255),
    PRIMARY KEY (project_id, seq)
);
