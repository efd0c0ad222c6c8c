"""The pytest plugin every package's tests get (pytest11 entry point `leadwire`).

- `leadwire.testing.infra`: the real Postgres and RabbitMQ, a fresh schema, unique names,
  cleanup, `wait_until`, `TcpProxy`, `free_port`.
- `leadwire.testing.services`: `stack` — run any service's real app in-process, isolated
  on the broker, with an event tap and an event publisher; `served` runs any app.
- `leadwire.testing.mailboxes`: `connected_mailbox` — a sandbox mailbox connected through
  the real oauth service.

Installed with the `testing` extra of leadwire-common; production code never imports it.
"""

from leadwire.testing.infra import (
    LOCAL_POSTGRES,
    LOCAL_RABBIT,
    RabbitCleanup,
    TcpProxy,
    db_pool,
    free_port,
    fresh_schema,
    postgres_dsn,
    rabbit_cleanup,
    rabbit_url,
    unique_name,
    wait_until,
)
from leadwire.testing.mailboxes import ConnectedMailbox, MailboxConnector, connected_mailbox
from leadwire.testing.services import (
    EventTap,
    ServiceUnderTest,
    TestStack,
    sandbox_overrides,
    served,
    stack,
)

__all__ = [
    "LOCAL_POSTGRES",
    "LOCAL_RABBIT",
    "ConnectedMailbox",
    "EventTap",
    "MailboxConnector",
    "RabbitCleanup",
    "ServiceUnderTest",
    "TcpProxy",
    "TestStack",
    "connected_mailbox",
    "db_pool",
    "free_port",
    "fresh_schema",
    "postgres_dsn",
    "rabbit_cleanup",
    "rabbit_url",
    "sandbox_overrides",
    "served",
    "stack",
    "unique_name",
    "wait_until",
]
