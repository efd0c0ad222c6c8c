-- ingest owns: what it knows of clients and mailboxes (watch state, cursors, health),
-- the messages it has seen, and the read model of contacts, leads and their timeline.

-- A projection of client.changed: what intake needs (slug, CORS origins, domains).
CREATE TABLE clients (
    client_id          uuid PRIMARY KEY,
    slug               text NOT NULL UNIQUE,
    name               text NOT NULL,
    revision           integer NOT NULL DEFAULT 0,
    allowed_origins    text[] NOT NULL DEFAULT '{}',
    own_domains        text[] NOT NULL DEFAULT '{}',
    denied_domains     text[] NOT NULL DEFAULT '{}',
    primary_mailbox_id uuid,
    deleted            boolean NOT NULL DEFAULT false,
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE mailboxes (
    mailbox_id              uuid PRIMARY KEY,
    client_id               uuid NOT NULL,
    provider                text NOT NULL CHECK (provider IN ('google', 'microsoft')),
    address                 text NOT NULL,
    -- 'active' is watched, synced and polled; 'stopped' after disconnect / revoke.
    status                  text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'stopped')),
    connected_at            timestamptz NOT NULL DEFAULT now(),
    -- Gmail: the history cursor and the users.watch expiry.
    history_id              text,
    watch_expires_at        timestamptz,
    -- Graph: the inbox subscription (clientState kept only as a SHA-256 hex) and delta cursor.
    subscription_id         text UNIQUE,
    subscription_expires_at timestamptz,
    client_state_hash       text,
    delta_link              text,
    sent_delta_link         text,  -- Sent Items: mail a person sent by hand
    -- Health, shown by GET /admin/mailboxes/{id}/sync.
    last_push_at            timestamptz,
    last_poll_at            timestamptz,
    last_sync_at            timestamptz,
    lag_seconds             double precision,
    last_error              text,
    last_error_at           timestamptz,
    failing_since           timestamptz,
    failure_count           integer NOT NULL DEFAULT 0,
    sync_failed_published   boolean NOT NULL DEFAULT false,
    -- Per-mailbox backoff for the scheduled poll and renew jobs.
    next_poll_at            timestamptz NOT NULL DEFAULT now(),
    next_renew_at           timestamptz NOT NULL DEFAULT now(),
    renew_failures          integer NOT NULL DEFAULT 0,
    updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mailboxes_address ON mailboxes (lower(address)) WHERE status = 'active';

-- One row per provider message ever looked at, with the decision and its reason.
CREATE TABLE seen_messages (
    mailbox_id          uuid NOT NULL,
    provider_message_id text NOT NULL,
    client_id           uuid NOT NULL,
    rfc_message_id      text,
    provider_thread_id  text,
    outcome             text NOT NULL,
    reason              text NOT NULL,
    lead_id             uuid,
    seen_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (mailbox_id, provider_message_id)
);

-- RFC Message-IDs claimed per client: the same mail in two connected mailboxes, or
-- seen by push and poll, is handled once.
CREATE TABLE message_ids (
    client_id      uuid NOT NULL,
    rfc_message_id text NOT NULL,
    mailbox_id     uuid NOT NULL,
    claimed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, rfc_message_id)
);

CREATE TABLE contacts (
    contact_id uuid PRIMARY KEY,
    client_id  uuid NOT NULL,
    email      text NOT NULL,
    name       text NOT NULL DEFAULT '',
    phone      text NOT NULL DEFAULT '',
    company    text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (client_id, email)
);

CREATE TABLE leads (
    lead_id             uuid PRIMARY KEY,
    client_id           uuid NOT NULL,
    contact_id          uuid NOT NULL REFERENCES contacts (contact_id),
    source              text NOT NULL CHECK (source IN ('email', 'form')),
    mailbox_id          uuid,
    provider            text,
    provider_message_id text,
    provider_thread_id  text,
    rfc_message_id      text,
    subject             text NOT NULL DEFAULT '',
    body_text           text NOT NULL DEFAULT '',
    status              text NOT NULL DEFAULT 'new' CHECK (status IN (
        'new', 'flagged', 'awaiting_approval', 'drafted', 'replied', 'lead_replied',
        'answered_by_person', 'closed')),
    -- The status before 'closed', restored by reopen.
    status_before_close text,
    received_at         timestamptz NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX leads_listing ON leads (created_at DESC, lead_id DESC);
CREATE INDEX leads_client ON leads (client_id, created_at DESC);
CREATE INDEX leads_contact ON leads (contact_id);

-- Which lead a provider thread belongs to (the lead's own thread and our replies' threads).
CREATE TABLE lead_threads (
    mailbox_id         uuid NOT NULL,
    provider_thread_id text NOT NULL,
    lead_id            uuid NOT NULL REFERENCES leads (lead_id),
    PRIMARY KEY (mailbox_id, provider_thread_id)
);

-- What the sender sent (email.sent): our own mail in a thread is not "sent by a person",
-- and a bounce names one of these Message-IDs.
CREATE TABLE outbound_messages (
    mailbox_id          uuid NOT NULL,
    provider_message_id text NOT NULL,
    rfc_message_id      text,
    lead_id             uuid,
    sent_at             timestamptz NOT NULL,
    PRIMARY KEY (mailbox_id, provider_message_id)
);
CREATE INDEX outbound_rfc ON outbound_messages (rfc_message_id);

-- The timeline: every email in and out, drafts, decisions and their reasons.
CREATE TABLE activities (
    activity_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id   uuid NOT NULL,
    lead_id     uuid,
    contact_id  uuid,
    mailbox_id  uuid,
    kind        text NOT NULL,
    summary     text NOT NULL,
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
    occurred_at timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activities_lead ON activities (lead_id, occurred_at);
CREATE INDEX activities_contact ON activities (contact_id, occurred_at);
CREATE INDEX activities_mailbox ON activities (mailbox_id, occurred_at);

-- Lead-form posts: Idempotency-Key and the 10-minute (email, message) dedupe.
CREATE TABLE form_submissions (
    submission_id   uuid PRIMARY KEY,
    client_id       uuid NOT NULL,
    idempotency_key text,
    dedupe_key      text NOT NULL,
    lead_id         uuid NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX form_idempotency ON form_submissions (client_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX form_dedupe ON form_submissions (client_id, dedupe_key, created_at DESC);
