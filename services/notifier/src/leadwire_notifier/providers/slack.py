"""Slack over HTTP: POST a message to an incoming webhook or an interaction's response_url.

Retrying is NOT done here (the HTTP client is built with `max_retries=0`): the delivery
loop owns every wait, in Postgres, so a 429's Retry-After or a backoff holds across
replicas and restarts instead of blocking one task.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from leadwire.retry import parse_retry_after
from leadwire_notifier.domain.outcomes import SlackAnswer

log = logging.getLogger(__name__)


class SlackPoster(Protocol):
    async def post(self, url: str, message: dict[str, Any]) -> SlackAnswer: ...


class HttpSlack:
    """`SlackPoster` over an httpx client (from `leadwire.http.create_async_client`)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def post(self, url: str, message: dict[str, Any]) -> SlackAnswer:
        try:
            response = await self._http.post(url, json=message)
        except httpx.HTTPError as exc:  # timeouts, refused connections, broken streams
            return SlackAnswer(status=None, error=type(exc).__name__)
        retry_after = parse_retry_after(response.headers.get("Retry-After"), datetime.now(UTC))
        return SlackAnswer(response.status_code, response.text[:200], retry_after)
