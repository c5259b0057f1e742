-- 0009_members (SQLite): sharing a project. The owner stays the project's user_id and has no
-- row; project_members holds everyone else with their role (EDITOR or VIEWER). invitations are
-- invite links: only the SHA-256 of a link's token is stored (token_hash, unique: accepting looks
-- a link up by it), with its role, expiry, uses and revocation.
-- messages.user_id says who sent a USER message; the messages written before sharing existed
-- were all sent by their project's owner.

CREATE TABLE project_members (
    project_id UUID         NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    VARCHAR(255) NOT NULL,
    role       VARCHAR(16)  NOT NULL,
    name       VARCHAR(255),
    image_url  TEXT,
    added_at   TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
-- The projects shared with a user (GET /api/projects).
CREATE INDEX project_members_user_id ON project_members (user_id);

CREATE TABLE invitations (
    id         UUID PRIMARY KEY,
    project_id UUID         NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    token_hash VARCHAR(64)  NOT NULL UNIQUE,
    role       VARCHAR(16)  NOT NULL,
    expires_at TIMESTAMPTZ  NOT NULL,
    max_uses   INTEGER      NOT NULL,
    uses       INTEGER      NOT NULL,
    revoked_at TIMESTAMPTZ,
    created_by VARCHAR(255) NOT NULL,
    created_at TIMESTAMPTZ  NOT NULL
);
-- A project's invitations, newest first (ids are UUIDv7).
CREATE INDEX invitations_list ON invitations (project_id, id);

ALTER TABLE messages ADD COLUMN user_id VARCHAR(255);
UPDATE messages SET user_id = (SELECT projects.user_id FROM projects WHERE projects.id = messages.project_id)
WHERE role = 'USER';
