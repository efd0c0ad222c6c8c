-- Admin tokens can be revoked: a password change bumps the admin's generation (older
-- tokens carry the old one), logout records the token id until the token expires.
ALTER TABLE admins ADD COLUMN token_generation integer NOT NULL DEFAULT 0;

CREATE TABLE revoked_admin_tokens (
    jti        text PRIMARY KEY,
    expires_at timestamptz NOT NULL
);
CREATE INDEX revoked_admin_tokens_expires ON revoked_admin_tokens (expires_at);
