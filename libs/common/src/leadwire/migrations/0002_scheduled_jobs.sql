-- Shared by every service: scheduled jobs that run once per interval across replicas.
-- A replica claims a due job by taking its lease; the lease is renewed while the job runs
-- and expires if the replica dies, so another takes over within one interval.

CREATE TABLE IF NOT EXISTS scheduled_jobs (
    name             text PRIMARY KEY,
    next_run_at      timestamptz NOT NULL DEFAULT now(),
    lease_holder     text,
    lease_until      timestamptz,
    last_started_at  timestamptz,
    last_finished_at timestamptz,
    last_error       text,
    runs             bigint NOT NULL DEFAULT 0,
    failures         bigint NOT NULL DEFAULT 0
);
