-- 0001_initial (SQLite): every entity of the seeds.
-- Column types are the names Piccolo's SQLite converters know (UUID, TIMESTAMPTZ, BOOLEAN,
-- INTEGER), so values come back as Python objects.
-- Keys: UUIDv7 ids made by the application (time-ordered), user ids are the identity provider's.
-- Every foreign key leads an index; lists are served by the composite indexes named *_list.

CREATE TABLE projects (
    id               UUID PRIMARY KEY,
    user_id          VARCHAR(255) NOT NULL,
    name             VARCHAR(255) NOT NULL,
    framework        VARCHAR(16)  NOT NULL,
    model_preference VARCHAR(255),
    sandbox_id       VARCHAR(255),
    image_url        TEXT,
    created_at       TIMESTAMPTZ  NOT NULL,
    updated_at       TIMESTAMPTZ  NOT NULL
);
CREATE INDEX projects_list ON projects (user_id, updated_at DESC, id DESC);

CREATE TABLE messages (
    id         UUID PRIMARY KEY,
    project_id UUID NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    content    TEXT        NOT NULL,
    role       VARCHAR(16) NOT NULL,
    type       VARCHAR(16) NOT NULL,
    status     VARCHAR(16) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX messages_list ON messages (project_id, id);

CREATE TABLE fragments (
    id          UUID PRIMARY KEY,
    message_id  UUID NOT NULL UNIQUE REFERENCES messages (id) ON DELETE CASCADE,
    project_id  UUID NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    sandbox_url TEXT        NOT NULL,
    title       TEXT        NOT NULL,
    files       JSON        NOT NULL,
    framework   VARCHAR(16) NOT NULL,
    metadata    JSON,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX fragments_list ON fragments (project_id, created_at DESC, id DESC);

CREATE TABLE imports (
    id          UUID PRIMARY KEY,
    user_id     VARCHAR(255) NOT NULL,
    project_id  UUID NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    message_id  UUID REFERENCES messages (id) ON DELETE SET NULL,
    source      VARCHAR(16) NOT NULL,
    source_id   TEXT        NOT NULL,
    source_name TEXT        NOT NULL,
    source_url  TEXT        NOT NULL,
    status      VARCHAR(16) NOT NULL,
    error       TEXT,
    metadata    JSON,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX imports_list ON imports (project_id, created_at DESC, id DESC);
CREATE INDEX imports_message_id ON imports (message_id);
CREATE INDEX imports_user_id ON imports (user_id);

CREATE TABLE attachments (
    id              UUID PRIMARY KEY,
    message_id      UUID NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    type            VARCHAR(16) NOT NULL,
    url             TEXT        NOT NULL,
    size            INTEGER     NOT NULL,
    width           INTEGER,
    height          INTEGER,
    import_id       UUID REFERENCES imports (id) ON DELETE SET NULL,
    source_metadata JSON,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX attachments_list ON attachments (message_id, id);
CREATE INDEX attachments_import_id ON attachments (import_id);

CREATE TABLE fragment_drafts (
    id         UUID PRIMARY KEY,
    project_id UUID NOT NULL UNIQUE REFERENCES projects (id) ON DELETE CASCADE,
    files      JSON        NOT NULL,
    framework  VARCHAR(16) NOT NULL,
    version    INTEGER     NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE usage (
    user_id        VARCHAR(255) PRIMARY KEY,
    credits_used   INTEGER     NOT NULL,
    window_ends_at TIMESTAMPTZ,
    updated_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE subscriptions (
    id                    UUID PRIMARY KEY,
    user_id               VARCHAR(255),
    polar_subscription_id VARCHAR(255) NOT NULL UNIQUE,
    customer_id           VARCHAR(255) NOT NULL,
    product_id            VARCHAR(255) NOT NULL,
    price_id              VARCHAR(255) NOT NULL,
    status                VARCHAR(32)  NOT NULL,
    interval              VARCHAR(16)  NOT NULL,
    current_period_start  TIMESTAMPTZ  NOT NULL,
    current_period_end    TIMESTAMPTZ  NOT NULL,
    cancel_at_period_end  BOOLEAN      NOT NULL,
    canceled_at           TIMESTAMPTZ,
    trial_start           TIMESTAMPTZ,
    trial_end             TIMESTAMPTZ,
    metadata              JSON,
    created_at            TIMESTAMPTZ  NOT NULL,
    updated_at            TIMESTAMPTZ  NOT NULL
);
CREATE INDEX subscriptions_user_id ON subscriptions (user_id);
CREATE INDEX subscriptions_customer_id ON subscriptions (customer_id);

CREATE TABLE oauth_connections (
    id                      UUID PRIMARY KEY,
    user_id                 VARCHAR(255) NOT NULL,
    provider                VARCHAR(16)  NOT NULL,
    access_token_encrypted  BLOB        NOT NULL,
    refresh_token_encrypted BLOB,
    expires_at              TIMESTAMPTZ,
    scope                   TEXT         NOT NULL,
    metadata                JSON,
    created_at              TIMESTAMPTZ  NOT NULL,
    updated_at              TIMESTAMPTZ  NOT NULL,
    CONSTRAINT oauth_connections_user_provider UNIQUE (user_id, provider)
);

CREATE TABLE rate_limit_windows (
    key            VARCHAR(255) PRIMARY KEY,
    hits           INTEGER     NOT NULL,
    window_ends_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX rate_limit_windows_window_ends_at ON rate_limit_windows (window_ends_at);

CREATE TABLE agent_runs (
    id               UUID PRIMARY KEY,
    project_id       UUID NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id          VARCHAR(255) NOT NULL,
    message_id       UUID REFERENCES messages (id) ON DELETE SET NULL,
    source           VARCHAR(16)  NOT NULL,
    status           VARCHAR(16)  NOT NULL,
    value            TEXT         NOT NULL,
    model            VARCHAR(255),
    framework        VARCHAR(16),
    stage            TEXT,
    claimed_by       VARCHAR(255),
    lease_expires_at TIMESTAMPTZ,
    attempts         INTEGER      NOT NULL,
    credit_consumed  BOOLEAN      NOT NULL,
    error            TEXT,
    created_at       TIMESTAMPTZ  NOT NULL,
    updated_at       TIMESTAMPTZ  NOT NULL,
    started_at       TIMESTAMPTZ,
    finished_at      TIMESTAMPTZ
);
CREATE INDEX agent_runs_list ON agent_runs (project_id, id);
CREATE INDEX agent_runs_message_id ON agent_runs (message_id);
CREATE INDEX agent_runs_user_id ON agent_runs (user_id);
-- The queue: the oldest waiting or leased runs, found without scanning finished ones.
CREATE INDEX agent_runs_queue ON agent_runs (status, id) WHERE status IN ('PENDING', 'RUNNING');
