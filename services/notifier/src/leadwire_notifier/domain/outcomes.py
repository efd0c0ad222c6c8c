"""What a webhook's answer means for its queue: delivered, wait, retry, or stop.

Slack answers incoming webhooks with a status and one error word as text/html:
`200 ok`; `400 invalid_payload|no_text|invalid_blocks…` (our message is wrong: retrying
cannot help); `403 action_prohibited`, `404 no_service|channel_not_found`,
`410 channel_is_archived` (the webhook is gone: a person must fix it); `429` with
`Retry-After`; `5xx` or no answer at all (Slack is down: retry with backoff).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OutcomeKind = Literal["delivered", "rate_limited", "webhook_broken", "refused", "unavailable"]

_BROKEN_STATUSES = frozenset({403, 404, 410})
DEFAULT_RETRY_AFTER = 1.0
MAX_RETRY_AFTER = 3600.0


@dataclass(frozen=True)
class SlackAnswer:
    """A webhook POST's result; `status` None means no HTTP answer (timeout, refused)."""

    status: int | None
    body: str = ""
    retry_after: float | None = None
    error: str = ""


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    reason: str = ""
    wait_seconds: float = 0.0


def classify(answer: SlackAnswer) -> Outcome:
    status = answer.status
    word = answer.body.strip()[:100]
    if status is None:
        return Outcome("unavailable", f"no answer from Slack: {answer.error or 'error'}")
    if 200 <= status < 300:
        return Outcome("delivered")
    if status == 429:
        wait = answer.retry_after if answer.retry_after is not None else DEFAULT_RETRY_AFTER
        return Outcome("rate_limited", f"429 {word}", min(max(wait, 0.0), MAX_RETRY_AFTER))
    if status in _BROKEN_STATUSES:
        return Outcome("webhook_broken", f"{status} {word or 'webhook gone'}")
    if 400 <= status < 500:
        return Outcome("refused", f"{status} {word or 'refused'}")
    return Outcome("unavailable", f"{status} {word or 'server error'}")


def retry_delay(attempt: int, *, base: float, cap: float) -> float:
    """Seconds before retry number `attempt` (1, 2, ...): base * 2**(attempt-1), capped."""
    return min(cap, base * 2.0 ** max(attempt - 1, 0))
