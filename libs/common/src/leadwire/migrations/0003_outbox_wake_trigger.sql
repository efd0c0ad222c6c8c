-- Wake the relay from a trigger at commit, and only when it is asleep.
--
-- Every transaction that NOTIFYs takes one cluster-wide lock from its pre-commit until
-- its commit is durable: NOTIFYing transactions commit one at a time (no group commit),
-- which halved the rate of concurrent one-event transactions. So a writer NOTIFYs only
-- when no relay of this schema is awake. An awake relay holds the "awake" advisory lock
-- in shared mode; a writer that cannot take it exclusively skips the NOTIFY. Every
-- writer holds the "writing" lock (shared) until its commit ends, so a relay going back
-- to sleep can wait for writers that saw it awake (see leadwire.relay).
--
-- Deferred to commit: the check happens as late as it can, and the NOTIFY is dropped
-- with the rest of a transaction that rolls back. Identical notifications (same channel,
-- empty payload) collapse into one per transaction.

CREATE OR REPLACE FUNCTION outbox_wake_relay() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(hashtext('leadwire_outbox.writing.' || TG_TABLE_SCHEMA));
    IF pg_try_advisory_xact_lock(hashtext('leadwire_outbox.awake.' || TG_TABLE_SCHEMA)) THEN
        PERFORM pg_notify('leadwire_outbox_' || TG_TABLE_SCHEMA, '');
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS outbox_wake_relay ON outbox;
CREATE CONSTRAINT TRIGGER outbox_wake_relay AFTER INSERT ON outbox
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION outbox_wake_relay();
