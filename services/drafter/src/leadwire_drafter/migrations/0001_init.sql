-- Drafter: client profiles (from client.changed), leads seen, guard verdicts, drafts, LLM usage.

CREATE TABLE clients (
    client_id   uuid PRIMARY KEY,
    revision    integer NOT NULL,
    -- The client.changed payload as received: reply policy and drafting profile.
    profile     jsonb NOT NULL,
    deleted     boolean NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE leads (
    lead_id               uuid PRIMARY KEY,
    client_id             uuid NOT NULL,
    -- The latest lead.received payload: what a regenerate drafts from.
    payload               jsonb,  -- NULL while only email.sent_by_person named the lead
    answered_by_person_at timestamptz,
    updated_at            timestamptz NOT NULL DEFAULT now()
);

-- One row per inbound message of a lead: the guard's verdict with every signal, and the
-- dedupe key (a lead.received seen twice, under any event id, yields one draft).
CREATE TABLE guard_verdicts (
    lead_id      uuid NOT NULL,
    message_key  text NOT NULL,
    client_id    uuid NOT NULL,
    verdict      text NOT NULL CHECK (verdict IN ('pass', 'suspicious', 'spam')),
    signals      jsonb NOT NULL,
    draft_id     uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (lead_id, message_key)
);

CREATE TABLE drafts (
    id              uuid PRIMARY KEY,
    client_id       uuid NOT NULL,
    lead_id         uuid NOT NULL,
    mailbox_id      uuid,
    status          text NOT NULL CHECK (status IN
                      ('awaiting_approval', 'approved', 'rejected', 'auto', 'sent', 'superseded')),
    subject         text NOT NULL,
    body_text       text NOT NULL,
    body_html       text NOT NULL,
    language        text NOT NULL,
    model           text NOT NULL,
    is_template     boolean NOT NULL,
    auto_send       boolean NOT NULL,
    send_after      timestamptz,
    score           integer NOT NULL CHECK (score BETWEEN 0 AND 100),
    score_reasons   jsonb NOT NULL,
    score_source    text NOT NULL CHECK (score_source IN ('llm', 'rules')),
    guard_verdict   text NOT NULL,
    check_failures  jsonb NOT NULL,
    reasons         jsonb NOT NULL,
    reply_to        jsonb,
    supersedes      uuid REFERENCES drafts (id),
    -- When the answered message arrived: a draft never supersedes one for a newer message.
    message_received_at timestamptz NOT NULL,
    edited          boolean NOT NULL DEFAULT false,
    decided_by      text,
    decided_at      timestamptz,
    decision_reason text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
-- Admin listing, newest first, keyset-paginated on (created_at, id).
CREATE INDEX drafts_listing ON drafts (created_at DESC, id DESC);
CREATE INDEX drafts_by_client ON drafts (client_id, created_at DESC, id DESC);
CREATE INDEX drafts_by_lead ON drafts (lead_id, created_at DESC);
-- At most one draft per lead waits for a person: a newer one supersedes it.
CREATE UNIQUE INDEX drafts_one_pending_per_lead ON drafts (lead_id)
    WHERE status = 'awaiting_approval';

CREATE TABLE llm_usage (
    client_id         uuid NOT NULL,
    month             date NOT NULL,  -- first day of the month (UTC)
    requests          integer NOT NULL DEFAULT 0,
    failed_requests   integer NOT NULL DEFAULT 0,
    prompt_tokens     bigint NOT NULL DEFAULT 0,
    completion_tokens bigint NOT NULL DEFAULT 0,
    cost_usd          numeric(14, 6) NOT NULL DEFAULT 0,
    drafts            integer NOT NULL DEFAULT 0,
    template_drafts   integer NOT NULL DEFAULT 0,
    flagged           integer NOT NULL DEFAULT 0,
    PRIMARY KEY (client_id, month)
);
