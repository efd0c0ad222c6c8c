-- Shared by every service: the transactional outbox and the idempotency inbox.
-- Runs with search_path = <service schema>, public, so the tables land in the service's schema.

CREATE TABLE IF NOT EXISTS outbox (
    id              uuid PRIMARY KEY,              -- = envelope.event_id = AMQP message_id
    seq             bigserial NOT NULL,            -- publish order; created_at is per transaction
    type            text NOT NULL,
    routing_key     text NOT NULL,
    body            jsonb NOT NULL,
    headers         jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    published_at    timestamptz,
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    -- per-row backoff for messages the broker refused (unroutable), so they never block the rest
    next_attempt_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS outbox_pending_idx ON outbox (seq) WHERE published_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_published_idx ON outbox (published_at) WHERE published_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS inbox (
    event_id    uuid NOT NULL,
    consumer    text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, consumer)
);

CREATE INDEX IF NOT EXISTS inbox_received_idx ON inbox (received_at);
