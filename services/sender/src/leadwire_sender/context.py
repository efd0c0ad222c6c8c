"""What the use cases share: the pool, token source, providers, budgets and rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID

import asyncpg

from leadwire.mailbox_tokens import AccessToken
from leadwire_sender.domain.budget import BudgetPolicy, is_consumer_gmail
from leadwire_sender.domain.errors import RetryRules
from leadwire_sender.providers.base import MailProvider
from leadwire_sender.settings import SenderSettings


class TokenSource(Protocol):
    """`leadwire.mailbox_tokens.MailboxTokenClient` (RPC to oauth) in the service."""

    async def get(self, mailbox_id: UUID, *, force_refresh: bool = False) -> AccessToken: ...


@dataclass(frozen=True)
class BudgetPolicies:
    gmail_consumer: BudgetPolicy
    gmail_workspace: BudgetPolicy
    graph: BudgetPolicy

    @classmethod
    def from_settings(cls, s: SenderSettings) -> BudgetPolicies:
        def gmail(cap: int) -> BudgetPolicy:
            return BudgetPolicy(
                s.gmail_sends_per_second, s.gmail_burst, cap, s.gmail_max_concurrent
            )

        return cls(
            gmail_consumer=gmail(s.gmail_consumer_daily_cap),
            gmail_workspace=gmail(s.gmail_workspace_daily_cap),
            graph=BudgetPolicy(
                s.graph_sends_per_minute / 60,
                s.graph_burst,
                s.graph_daily_cap,
                s.graph_max_concurrent,
            ),
        )

    def for_mailbox(self, provider: str, address: str) -> BudgetPolicy:
        if provider == "microsoft":
            return self.graph
        return self.gmail_consumer if is_consumer_gmail(address) else self.gmail_workspace


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SenderContext:
    get_pool: Callable[[], asyncpg.Pool]
    tokens: TokenSource
    providers: Mapping[str, MailProvider]
    budgets: BudgetPolicies
    retry: RetryRules = field(default_factory=RetryRules)
    claim_seconds: float = 120.0
    batch_size: int = 200
    max_attachments_bytes: int = 25 * 1024 * 1024
    follow_up_text: str = "Just following up on my message below."
    clock: Callable[[], datetime] = _utc_now

    @property
    def pool(self) -> asyncpg.Pool:
        return self.get_pool()
