-- 0001_initial (PostgreSQL): every entity of the seeds.
-- Keys: UUIDv7 ids made by the application (time-ordered), user ids are the identity provider's.
-- Every foreign key leads an index; lists are served by the composite indexes named *_list.

CREATE TABLE projects (
    id               uuid PRIMARY KEY,
    user_id          varchar(255) NOT NULL,
    name             varchar(255) NOT NULL,
    framework        varchar(16)  NOT NULL,
    model_preference varchar(255),
    sandbox_id       varchar(255),
    image_url        text,
    created_at       timestamptz  NOT NULL,
    updated_at       timestamptz  NOT NULL
);
CREATE INDEX projects_list ON projects (user_id, updated_at DESC, id DESC);

CREATE TABLE messages (
    id         uuid PRIMARY KEY,
    project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    content    text        NOT NULL,
    role       varchar(16) NOT NULL,
    type       varchar(16) NOT NULL,
    status     varchar(16) NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX messages_list ON messages (project_id, id);

CREATE TABLE fragments (
    id          uuid PRIMARY KEY,
    message_id  uuid NOT NULL UNIQUE REFERENCES messages (id) ON DELETE CASCADE,
    project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    sandbox_url text        NOT NULL,
    title       text        NOT NULL,
    files       json        NOT NULL,
    framework   varchar(16) NOT NULL,
    metadata    json,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX fragments_list ON fragments (project_id, created_at DESC, id DESC);

CREATE TABLE imports (
    id          uuid PRIMARY KEY,
    user_id     varchar(255) NOT NULL,
    project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    message_id  uuid REFERENCES messages (id) ON DELETE SET NULL,
    source      varchar(16) NOT NULL,
    source_id   text        NOT NULL,
    source_name text        NOT NULL,
    source_url  text        NOT NULL,
    status      varchar(16) NOT NULL,
    error       text,
    metadata    json,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX imports_list ON imports (project_id, created_at DESC, id DESC);
CREATE INDEX imports_message_id ON imports (message_id);
CREATE INDEX imports_user_id ON imports (user_id);

CREATE TABLE attachments (
    id              uuid PRIMARY KEY,
    message_id      uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    type            varchar(16) NOT NULL,
    url             text        NOT NULL,
    size            integer     NOT NULL,
    width           integer,
    height          integer,
    import_id       uuid REFERENCES imports (id) ON DELETE SET NULL,
    source_metadata json,
    created_at      timestamptz NOT NULL
);
CREATE INDEX attachments_list ON attachments (message_id, id);
CREATE INDEX attachments_import_id ON attachments (import_id);

CREATE TABLE fragment_drafts (
    id         uuid PRIMARY KEY,
    project_id uuid NOT NULL UNIQUE REFERENCES projects (id) ON DELETE CASCADE,
    files      json        NOT NULL,
    framework  varchar(16) NOT NULL,
    version    integer     NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE usage (
    user_id        varchar(255) PRIMARY KEY,
    credits_used   integer     NOT NULL,
    window_ends_at timestamptz,
    updated_at     timestamptz NOT NULL
);

CREATE TABLE subscriptions (
    id                    uuid PRIMARY KEY,
    user_id               varchar(255),
    polar_subscription_id varchar(255) NOT NULL UNIQUE,
    customer_id           varchar(255) NOT NULL,
    product_id            varchar(255) NOT NULL,
    price_id              varchar(255) NOT NULL,
    status                varchar(32)  NOT NULL,
    interval              varchar(16)  NOT NULL,
    current_period_start  timestamptz  NOT NULL,
    current_period_end    timestamptz  NOT NULL,
    cancel_at_period_end  boolean      NOT NULL,
    canceled_at           timestamptz,
    trial_start           timestamptz,
    trial_end             timestamptz,
    metadata              json,
    created_at            timestamptz  NOT NULL,
    updated_at            timestamptz  NOT NULL
);
CREATE INDEX subscriptions_user_id ON subscriptions (user_id);
CREATE INDEX subscriptions_customer_id ON subscriptions (customer_id);

CREATE TABLE oauth_connections (
    id                      uuid PRIMARY KEY,
    user_id                 varchar(255) NOT NULL,
    provider                varchar(16)  NOT NULL,
    access_token_encrypted  bytea        NOT NULL,
    refresh_token_encrypted bytea,
    expires_at              timestamptz,
    scope                   text         NOT NULL,
    metadata                json,
    created_at              timestamptz  NOT NULL,
    updated_at              timestamptz  NOT NULL,
    CONSTRAINT oauth_connections_user_provider UNIQUE (user_id, provider)
);

CREATE TABLE rate_limit_windows (
    key            varchar(255) PRIMARY KEY,
    hits           integer     NOT NULL,
    window_ends_at timestamptz NOT NULL
);
CREATE INDEX rate_limit_windows_window_ends_at ON rate_limit_windows (window_ends_at);

CREATE TABLE agent_runs (
    id               uuid PRIMARY KEY,
    project_id       uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id          varchar(255) NOT NULL,
    message_id       uuid REFERENCES messages (id) ON DELETE SET NULL,
    source           varchar(16)  NOT NULL,
    status           varchar(16)  NOT NULL,
    value            text         NOT NULL,
    model            varchar(255),
    framework        varchar(16),
    stage            text,
    claimed_by       varchar(255),
    lease_expires_at timestamptz,
    attempts         integer      NOT NULL,
    credit_consumed  boolean      NOT NULL,
    error            text,
    created_at       timestamptz  NOT NULL,
    updated_at       timestamptz  NOT NULL,
    started_at       timestamptz,
    finished_at      timestamptz
);
CREATE INDEX agent_runs_list ON agent_runs (project_id, id);
CREATE INDEX agent_runs_message_id ON agent_runs (message_id);
CREATE INDEX agent_runs_user_id ON agent_runs (user_id);
-- The queue: the oldest waiting or leased runs, found without scanning finished ones.
CREATE INDEX agent_runs_queue ON agent_runs (status, id) WHERE status IN ('PENDING', 'RUNNING');
