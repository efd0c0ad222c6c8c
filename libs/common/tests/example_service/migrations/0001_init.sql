-- The example service's own tables (the outbox, inbox and scheduled_jobs come from libs/common).
CREATE TABLE mailboxes (
    id         uuid PRIMARY KEY,
    client_id  uuid NOT NULL,
    provider   text NOT NULL,
    address    text NOT NULL,
    connected  boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE mailbox_counts (
    counted_at timestamptz NOT NULL DEFAULT now(),
    connected  integer NOT NULL
);
