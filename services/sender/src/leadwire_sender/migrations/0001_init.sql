-- The sender's schema: outbound messages and their state machine, what it knows of
-- mailboxes and clients (from events), send budgets, templates, bulk jobs, follow-ups.

-- What oauth told us (mailbox.connected / .disconnected / .revoked); tokens stay in oauth.
CREATE TABLE mailboxes (
    mailbox_id   uuid PRIMARY KEY,
    client_id    uuid NOT NULL,
    provider     text NOT NULL CHECK (provider IN ('google', 'microsoft')),
    address      text NOT NULL,
    display_name text NOT NULL DEFAULT '',
    status       text NOT NULL CHECK (status IN ('connected', 'disconnected', 'revoked')),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mailboxes_client_idx ON mailboxes (client_id);

-- The parts of client.changed the sender reads; `revision` drops a late older snapshot.
CREATE TABLE clients (
    client_id          uuid PRIMARY KEY,
    revision           integer NOT NULL,
    primary_mailbox_id uuid,
    follow_up          jsonb NOT NULL DEFAULT '{}'::jsonb,
    business_hours     jsonb,
    deleted            boolean NOT NULL DEFAULT false,
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bulk_jobs (
    id           uuid PRIMARY KEY,
    client_id    uuid NOT NULL,
    mailbox_id   uuid,
    template_id  uuid,
    requested    integer NOT NULL,
    status       text NOT NULL CHECK (status IN ('running', 'cancelled')),
    created_by   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    cancelled_at timestamptz
);

CREATE TABLE outbound_messages (
    id                 uuid PRIMARY KEY,
    client_id          uuid NOT NULL,
    mailbox_id         uuid,
    kind               text NOT NULL CHECK (kind IN ('reply', 'follow_up', 'new_thread', 'manual')),
    status             text NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
    -- One outbound per draft, whatever the number of events about it.
    draft_id           uuid UNIQUE,
    lead_id            uuid,
    job_id             uuid REFERENCES bulk_jobs (id),
    follow_up_step     integer,
    correlation_id     uuid,
    -- Ours, generated before the provider call; Graph replaces it with the draft's own
    -- (stored before `send`), so it is always what the provider can be searched by.
    rfc_message_id     text NOT NULL UNIQUE,
    sender_name        text NOT NULL DEFAULT '',
    to_addresses       jsonb NOT NULL,
    cc_addresses       jsonb NOT NULL DEFAULT '[]'::jsonb,
    bcc_addresses      jsonb NOT NULL DEFAULT '[]'::jsonb,
    subject            text NOT NULL,
    body_text          text NOT NULL,
    body_html          text NOT NULL DEFAULT '',
    in_reply_to        text,
    "references"       jsonb NOT NULL DEFAULT '[]'::jsonb,
    -- The thread to answer in: Gmail threadId / the Graph message to createReply on.
    reply_thread_id    text,
    reply_message_id   text,
    provider_draft_id  text,
    provider_message_id text,
    provider_thread_id text,
    attempts           integer NOT NULL DEFAULT 0,
    error_code         text,
    last_error         text,
    due_at             timestamptz NOT NULL,
    -- A worker owns a `sending` row until this passes (then another looks it up and resumes).
    claimed_until      timestamptz,
    sent_at            timestamptz,
    created_by         text NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbound_due_idx ON outbound_messages (due_at) WHERE status IN ('queued', 'sending');
CREATE INDEX outbound_inflight_idx ON outbound_messages (mailbox_id) WHERE status = 'sending';
CREATE INDEX outbound_client_idx ON outbound_messages (client_id, created_at DESC);
CREATE INDEX outbound_lead_idx ON outbound_messages (lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX outbound_job_idx ON outbound_messages (job_id) WHERE job_id IS NOT NULL;

CREATE TABLE outbound_attachments (
    outbound_id  uuid NOT NULL REFERENCES outbound_messages (id) ON DELETE CASCADE,
    position     integer NOT NULL,
    filename     text NOT NULL,
    content_type text NOT NULL,
    content      bytea NOT NULL,
    PRIMARY KEY (outbound_id, position)
);

-- Token bucket + daily counter per mailbox; the row is locked while a send is granted.
CREATE TABLE send_budgets (
    mailbox_id  uuid PRIMARY KEY,
    tokens      double precision NOT NULL,
    refilled_at timestamptz NOT NULL,
    day         date NOT NULL,
    sent_today  integer NOT NULL
);

CREATE TABLE templates (
    id         uuid PRIMARY KEY,
    client_id  uuid NOT NULL,
    name       text NOT NULL,
    subject    text NOT NULL,
    body_text  text NOT NULL,
    body_html  text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (client_id, name)
);

-- Drafts that wait for approval: what a bulk job over "drafted leads" sends.
CREATE TABLE pending_drafts (
    draft_id   uuid PRIMARY KEY,
    client_id  uuid NOT NULL,
    lead_id    uuid NOT NULL,
    payload    jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pending_drafts_client_idx ON pending_drafts (client_id, created_at);

-- Leads nothing automatic goes to any more: they replied, a person answered, a bounce.
CREATE TABLE blocked_leads (
    lead_id    uuid PRIMARY KEY,
    reason     text NOT NULL,
    blocked_at timestamptz NOT NULL DEFAULT now()
);

-- One row per lead thread we answered: the next follow-up and how to reply in the thread.
CREATE TABLE follow_ups (
    lead_id          uuid PRIMARY KEY,
    client_id        uuid NOT NULL,
    last_outbound_id uuid NOT NULL REFERENCES outbound_messages (id),
    step             integer NOT NULL,
    due_at           timestamptz NOT NULL,
    status           text NOT NULL CHECK (status IN ('scheduled', 'done', 'cancelled')),
    reason           text NOT NULL DEFAULT '',
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX follow_ups_due_idx ON follow_ups (due_at) WHERE status = 'scheduled';

-- Idempotency-Key of manual sends: the same key and body give the same outbound.
CREATE TABLE idempotency_keys (
    scope        text NOT NULL,
    key          text NOT NULL,
    request_hash text NOT NULL,
    outbound_id  uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
