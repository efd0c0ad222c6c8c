"""The HTTP clients the provider adapters use.

A POST that sends mail is retried inside the client only on 429 (the provider says it did
nothing). Every other failure goes back to the delivery, which looks the message up at
the provider before trying again: a 5xx or a lost answer may hide a sent email.
"""

from __future__ import annotations

import httpx

from leadwire.http import HttpRetryPolicy, create_async_client

SEND_RETRY_POLICY = HttpRetryPolicy(
    max_retries=2,
    backoff_base=0.5,
    backoff_max=5.0,
    retry_any_method_statuses=frozenset({429}),
    retry_idempotent_statuses=frozenset({500, 502, 503, 504}),
)


def provider_client(base_url: str, *, ca_bundle: str, timeout: float) -> httpx.AsyncClient:
    return create_async_client(
        base_url=base_url, ca_bundle=ca_bundle, timeout=timeout, policy=SEND_RETRY_POLICY
    )
