-- Failed admin logins, counted per (username, ip), per ip, per username and in total,
-- in Postgres so every replica sees the same counts.
CREATE TABLE login_failures (
    scope        text NOT NULL CHECK (scope IN ('pair', 'ip', 'user', 'global')),
    key          text NOT NULL,
    failures     integer NOT NULL,
    last_failure timestamptz NOT NULL,
    locked_until timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX login_failures_last ON login_failures (last_failure);

-- Where each admin logged in successfully: an attack on a username does not lock its
-- owner out of the addresses they are known to use.
CREATE TABLE admin_login_ips (
    username        text NOT NULL,
    ip              text NOT NULL,
    last_success_at timestamptz NOT NULL,
    PRIMARY KEY (username, ip)
);
