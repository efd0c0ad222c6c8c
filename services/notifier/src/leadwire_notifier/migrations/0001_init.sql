-- notifier: what each client wants to hear, the leads and drafts it announced, and the
-- per-webhook queue + log of every notification (one row per event, forever unique).

-- Clients as client.changed describes them (never their Slack URL: that stays in oauth),
-- and the state of their webhook. A client first seen through another event has
-- revision -1 and unknown settings until its client.changed arrives.
CREATE TABLE clients (
    client_id             uuid PRIMARY KEY,
    name                  text NOT NULL DEFAULT '',
    revision              integer NOT NULL DEFAULT -1,
    notification_kinds    text[],            -- NULL: every kind
    has_slack_webhook     boolean,           -- NULL: not told yet, ask oauth
    deleted               boolean NOT NULL DEFAULT false,
    webhook_broken_at     timestamptz,       -- set on 403/404/410: no retry until fixed
    webhook_broken_reason text NOT NULL DEFAULT '',
    -- The webhook's schedule, shared by every replica: the next message may go at
    -- next_send_at (rate, Retry-After, backoff); a replica sending holds lease_until.
    next_send_at          timestamptz NOT NULL DEFAULT now(),
    lease_until           timestamptz,
    updated_at            timestamptz NOT NULL DEFAULT now()
);

-- Who each lead is, remembered from lead.received for the events that only name its id.
CREATE TABLE leads (
    lead_id     uuid PRIMARY KEY,
    client_id   uuid NOT NULL,
    name        text NOT NULL DEFAULT '',
    address     text NOT NULL DEFAULT '',
    subject     text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Drafts announced for approval, and the decision a Slack click published for each.
CREATE TABLE drafts (
    draft_id          uuid PRIMARY KEY,
    client_id         uuid NOT NULL,
    lead_id           uuid NOT NULL,
    correlation_id    uuid,              -- draft.decided follows the lead's flow
    created_at        timestamptz NOT NULL DEFAULT now(),
    decision          text CHECK (decision IN ('approve', 'reject', 'superseded')),
    decided_by        text,
    decided_at        timestamptz,
    decision_event_id uuid,
    -- Slack's response_url (valid 30 minutes) and the update to post there; cleared once posted.
    response_url      text,
    response_message  jsonb,
    response_leased_until timestamptz,     -- a worker is posting it (or retries after)
    responded_at      timestamptz
);
CREATE INDEX drafts_response_due ON drafts (decided_at) WHERE response_url IS NOT NULL;

CREATE TABLE notifications (
    id           bigserial PRIMARY KEY,      -- log order (the admin's cursor)
    event_id     uuid NOT NULL UNIQUE,       -- one notification per event
    event_type   text NOT NULL,
    client_id    uuid NOT NULL,
    lead_id      uuid,
    draft_id     uuid,
    status       text NOT NULL
                 CHECK (status IN ('queued', 'sent', 'coalesced', 'failed', 'skipped')),
    reason       text NOT NULL DEFAULT '',
    message      jsonb,                      -- the message alone (NULL when skipped)
    line         jsonb,                      -- what a digest keeps of it
    attempts     integer NOT NULL DEFAULT 0,
    batch_id     uuid,                       -- the Slack message that carried it
    batch_size   integer,
    occurred_at  timestamptz NOT NULL,       -- the event's time: orders the queue
    created_at   timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz
);
-- A client's queue, in the order its events happened.
CREATE INDEX notifications_queue ON notifications (client_id, occurred_at, id)
    WHERE status = 'queued';
CREATE INDEX notifications_by_client ON notifications (client_id, id);
CREATE INDEX notifications_by_status ON notifications (status, id);
