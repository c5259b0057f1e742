-- 0002_billing_events (PostgreSQL): what the Polar webhook needs beyond the seed's entities.
-- webhook_deliveries: every webhook id processed once (a replay finds its row and changes nothing).
-- polar_customers: which of our users a Polar customer is, so a subscription that arrived before
-- its customer was known can be handed to the user when the link appears.

CREATE TABLE webhook_deliveries (
    webhook_id  varchar(255) PRIMARY KEY,
    event_type  varchar(64)  NOT NULL,
    received_at timestamptz  NOT NULL
);

CREATE TABLE polar_customers (
    customer_id varchar(255) PRIMARY KEY,
    user_id     varchar(255) NOT NULL,
    linked_at   timestamptz  NOT NULL
);
CREATE INDEX polar_customers_user_id ON polar_customers (user_id);
