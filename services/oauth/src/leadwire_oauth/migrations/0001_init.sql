-- oauth owns the tenants (clients), their admins and their connected mailboxes.
CREATE TABLE admins (
    id            uuid PRIMARY KEY,
    username      text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE clients (
    id                  uuid PRIMARY KEY,
    name                text NOT NULL,
    slug                text NOT NULL UNIQUE,
    auto_send           text NOT NULL DEFAULT 'off' CHECK (auto_send IN ('off', 'guarded', 'always')),
    business_hours      jsonb,
    reply_delay_seconds integer NOT NULL DEFAULT 0 CHECK (reply_delay_seconds >= 0),
    profile             jsonb NOT NULL DEFAULT '{}'::jsonb,
    allowed_origins     text[] NOT NULL DEFAULT '{}',
    -- AES-GCM ciphertext (leadwire.crypto), associated data names row + field.
    slack_webhook_enc   bytea,
    slack_webhook_hint  text,
    -- Grows with every change so consumers can ignore a late, older snapshot.
    revision            integer NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE mailboxes (
    id                uuid PRIMARY KEY,
    client_id         uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    provider          text NOT NULL CHECK (provider IN ('google', 'microsoft')),
    address           text NOT NULL,
    display_name      text NOT NULL DEFAULT '',
    status            text NOT NULL CHECK (status IN ('connected', 'revoked', 'error', 'disconnected')),
    scopes            text[] NOT NULL DEFAULT '{}',
    access_token_enc  bytea,
    refresh_token_enc bytea,
    access_expires_at timestamptz,
    last_refresh_at   timestamptz,
    last_error        text,
    connected_at      timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
-- One row per real mailbox: ingest routes Gmail pushes by address.
CREATE UNIQUE INDEX mailboxes_provider_address ON mailboxes (provider, lower(address));
CREATE INDEX mailboxes_client ON mailboxes (client_id);

-- A pending OAuth authorization, looked up by the signed state's nonce. The
-- PKCE verifier (and msal's flow) stay here, encrypted, never in the state.
CREATE TABLE oauth_flows (
    nonce          text PRIMARY KEY,
    client_id      uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    provider       text NOT NULL,
    browser_hash   text NOT NULL,
    secret_enc     bytea NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz
);
CREATE INDEX oauth_flows_expires ON oauth_flows (expires_at);
