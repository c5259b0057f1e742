-- 0006_idempotency_keys (PostgreSQL): each user's Idempotency-Keys, so a retried request gets its
-- first answer instead of running again. A row is reserved (answer NULL) while its request runs,
-- until reserved_until; the answer is written in the same transaction as the work it answers.
-- reservation_id fences every later write to the reservation that holds the key; keys created
-- more than 24 hours ago are swept by created_at.

CREATE TABLE idempotency_keys (
    user_id        varchar(255) NOT NULL,
    key            varchar(255) NOT NULL,
    fingerprint    text         NOT NULL,
    reservation_id uuid         NOT NULL,
    reserved_until timestamptz  NOT NULL,
    answer         json,
    created_at     timestamptz  NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
