"""Delivering each client's queue to its Slack webhook: in order, ~1 message a second,
a backlog coalesced into one digest, Slack's answers honoured.

Any replica may deliver for any client: `claim_due_client` leases one client whose
`next_send_at` has come (FOR UPDATE SKIP LOCKED), so each webhook has one sender at a
time and its pace lives in Postgres. The outcome of each POST sets the next time:
`min_interval` after a message, Retry-After after a 429, a growing backoff while Slack
is down (then `failed`: requeue with POST /admin/notifications/requeue). A 403/404/410
marks the webhook broken and fails its queue: nothing is retried until the client
changes. The URL comes from oauth's client.secrets RPC (memory only, short TTL).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from uuid import UUID, uuid4

import asyncpg

from leadwire_notifier.domain.clients import ClientState
from leadwire_notifier.domain.digest import Delivery, plan_delivery
from leadwire_notifier.domain.outcomes import Outcome, classify, retry_delay
from leadwire_notifier.metrics import NOTICES_DELIVERED, SLACK_POSTS
from leadwire_notifier.providers.secrets import SecretsUnavailable, WebhookUrls
from leadwire_notifier.providers.slack import SlackPoster
from leadwire_notifier.store import Conn
from leadwire_notifier.store import clients as client_store
from leadwire_notifier.store import notifications as queue_store

log = logging.getLogger(__name__)

# Longer than one RPC plus one POST with its timeout; a crashed sender's lease ends then.
LEASE_SECONDS = 60.0
HEAD_SIZE = 60  # more than a digest can carry (50 blocks)


@dataclass(frozen=True)
class DeliveryPolicy:
    min_interval: float = 1.0
    coalesce_above: int = 3
    max_attempts: int = 8
    retry_base: float = 2.0
    retry_max: float = 300.0


@dataclass
class Deliverer:
    pool: asyncpg.Pool
    slack: SlackPoster
    urls: WebhookUrls
    policy: DeliveryPolicy

    async def deliver_next(self) -> bool:
        """Send one message for one due client; False when no client is due."""
        async with self.pool.acquire() as conn:
            client = await queue_store.claim_due_client(conn, LEASE_SECONDS)
        if client is None:
            return False
        wait = self.policy.retry_base
        try:
            wait = await self._deliver_for(client)
        finally:  # even if this raised: the webhook must not stay leased
            async with self.pool.acquire() as conn:
                await queue_store.release_client(conn, client.client_id, wait)
        return True

    async def _deliver_for(self, client: ClientState) -> float:
        async with self.pool.acquire() as conn:
            queue, waiting = await queue_store.queue_head(conn, client.client_id, HEAD_SIZE)
        delivery = plan_delivery(queue, waiting=waiting, coalesce_above=self.policy.coalesce_above)
        if delivery is None:
            return 0.0
        try:
            url = await self.urls.get(client.client_id)
        except SecretsUnavailable as exc:
            return await self._record(client.client_id, delivery, Outcome("unavailable", str(exc)))
        if url is None:
            return await self._no_webhook(client.client_id)
        answer = await self.slack.post(url.get_secret_value(), delivery.message)
        return await self._record(client.client_id, delivery, classify(answer))

    async def _no_webhook(self, client_id: UUID) -> float:
        async with self.pool.acquire() as conn, conn.transaction():
            await client_store.set_has_slack_webhook(conn, client_id, False)
            await queue_store.close_client_queue(
                conn, client_id, "skipped", "client has no Slack webhook"
            )
        return 0.0

    async def _record(self, client_id: UUID, delivery: Delivery, outcome: Outcome) -> float:
        """Write what the answer means; return seconds until this webhook may send again."""
        async with self.pool.acquire() as conn, conn.transaction():
            wait = await self._apply(conn, client_id, delivery, outcome)
        _log_outcome(client_id, delivery, outcome)
        SLACK_POSTS.labels(outcome.kind).inc()
        if outcome.kind == "delivered":
            status = "coalesced" if delivery.is_digest else "sent"
            NOTICES_DELIVERED.labels(status).inc(len(delivery.items))
        return wait

    async def _apply(
        self, conn: Conn, client_id: UUID, delivery: Delivery, outcome: Outcome
    ) -> float:
        if outcome.kind == "delivered":
            await queue_store.mark_delivered(conn, delivery.ids, uuid4())
            return self.policy.min_interval
        if outcome.kind == "rate_limited":
            return max(outcome.wait_seconds, self.policy.min_interval)
        if outcome.kind == "webhook_broken":
            self.urls.forget(client_id)
            await client_store.mark_webhook_broken(conn, client_id, outcome.reason)
            await queue_store.close_client_queue(
                conn, client_id, "failed", f"Slack webhook broken: {outcome.reason}"
            )
            return 0.0
        if outcome.kind == "refused":
            reason = f"Slack refused the message: {outcome.reason}"
            await queue_store.close_notifications(conn, delivery.ids, "failed", reason)
            return self.policy.min_interval
        attempts = await queue_store.count_failed_attempt(conn, delivery.ids, outcome.reason)
        if attempts >= self.policy.max_attempts:
            reason = f"gave up after {attempts} attempts: {outcome.reason}"
            await queue_store.fail_exhausted(conn, delivery.ids, self.policy.max_attempts, reason)
        return retry_delay(attempts, base=self.policy.retry_base, cap=self.policy.retry_max)


def _log_outcome(client_id: UUID, delivery: Delivery, outcome: Outcome) -> None:
    level = logging.INFO if outcome.kind == "delivered" else logging.WARNING
    log.log(
        level,
        "slack delivery %s for client %s: %d notice(s)%s %s",
        outcome.kind,
        client_id,
        len(delivery.items),
        " as a digest" if delivery.is_digest else "",
        outcome.reason,
    )
