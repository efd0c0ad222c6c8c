"""The LLM behind a small Protocol, and its adapter for any OpenAI-compatible server.

The official `openai` SDK does the wire format; its own retries are off (max_retries=0)
because a draft must not block a consumer for minutes: we retry a bounded number of
times, honour a 429's Retry-After up to a ceiling, and otherwise give up so the caller
writes the template draft instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import openai

from leadwire.http import ssl_context
from leadwire.retry import parse_retry_after

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LlmReply:
    content: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    failed_attempts: int  # attempts before this one that failed (for the usage report)


class LlmUnavailable(Exception):
    """The LLM gave no usable answer within the retry budget; `reason` holds no secret."""

    def __init__(self, reason: str, failed_attempts: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.failed_attempts = failed_attempts


class DraftWriter(Protocol):
    model: str

    async def complete(
        self, messages: list[dict[str, str]], response_format: dict[str, Any]
    ) -> LlmReply: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class LlmConfig:
    api_key: str
    base_url: str
    model: str
    timeout: float
    max_retries: int
    max_retry_wait: float
    max_output_tokens: int
    ca_bundle: str = ""
    backoff_base: float = 0.5


class OpenAIWriter:
    """`DraftWriter` over the official SDK (OpenAI, Azure-style proxies, local servers)."""

    def __init__(
        self, config: LlmConfig, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    ) -> None:
        self.model = config.model
        self._config = config
        self._sleep = sleep
        # The SDK's own client class (it is built on httpx2), verifying with our CA bundle.
        self._http = openai.DefaultAsyncHttpxClient(
            verify=ssl_context(config.ca_bundle), timeout=config.timeout, trust_env=False
        )
        self._client = openai.AsyncOpenAI(
            api_key=config.api_key,
            base_url=config.base_url or None,
            timeout=config.timeout,
            max_retries=0,
            http_client=self._http,
        )

    async def aclose(self) -> None:
        await self._client.close()
        await self._http.aclose()

    async def complete(
        self, messages: list[dict[str, str]], response_format: dict[str, Any]
    ) -> LlmReply:
        failed = 0
        while True:
            try:
                return await self._once(messages, response_format, failed)
            except openai.APIError as exc:
                delay, why = self._retry_delay(exc, failed)
                failed += 1
                if delay is None:
                    raise LlmUnavailable(why, failed) from None
                log.warning("LLM attempt %d failed (%s); retrying in %.1fs", failed, why, delay)
                await self._sleep(delay)

    async def _once(
        self, messages: list[dict[str, str]], response_format: dict[str, Any], failed: int
    ) -> LlmReply:
        # Plain dicts are what the SDK sends; its TypedDict overloads cannot see that.
        completion = await self._client.chat.completions.create(  # type: ignore[call-overload]
            model=self._config.model,
            messages=messages,
            response_format=response_format,
            max_completion_tokens=self._config.max_output_tokens,
        )
        choice = completion.choices[0] if completion.choices else None
        usage = completion.usage
        return LlmReply(
            content=(choice.message.content or "") if choice else "",
            model=completion.model or self._config.model,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            failed_attempts=failed,
        )

    def _retry_delay(self, exc: openai.APIError, failed: int) -> tuple[float | None, str]:
        """Seconds to wait before the next attempt (None: give up) and a loggable why."""
        why = _describe(exc)
        if failed >= self._config.max_retries:
            return None, f"{why} (gave up after {failed + 1} attempts)"
        if isinstance(exc, openai.APIStatusError):
            if getattr(exc, "code", None) == "insufficient_quota":
                return None, why  # a 429 that waiting does not fix
            if exc.status_code == 429:
                return self._rate_limit_delay(exc, failed, why)
            if exc.status_code < 500 and exc.status_code not in (408, 409):
                return None, why  # our request is wrong: repeating it cannot help
        backoff = min(self._config.max_retry_wait, self._config.backoff_base * 2**failed)
        return backoff, why

    def _rate_limit_delay(
        self, exc: openai.APIStatusError, failed: int, why: str
    ) -> tuple[float | None, str]:
        headers = exc.response.headers
        asked: float | None = None
        if headers.get("retry-after-ms"):
            try:
                asked = float(headers["retry-after-ms"]) / 1000
            except ValueError:
                asked = None
        if asked is None:
            asked = parse_retry_after(headers.get("retry-after"), datetime.now(UTC))
        if asked is None:
            return min(self._config.max_retry_wait, self._config.backoff_base * 2**failed), why
        if asked > self._config.max_retry_wait:
            return None, f"{why} (Retry-After {asked:.0f}s is longer than we wait)"
        return asked, why


def _describe(exc: openai.APIError) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection failed"
    if isinstance(exc, openai.APIStatusError):
        code = getattr(exc, "code", None)
        return f"HTTP {exc.status_code}" + (f" {code}" if code else "")
    return type(exc).__name__
