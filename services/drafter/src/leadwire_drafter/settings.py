"""Settings of the drafter service (env variables; see docs/drafter.md)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from leadwire.settings import ServiceSettings


class DrafterSettings(ServiceSettings):
    service_name: str = "drafter"
    http_port: int = 8003
    # Empty key: no LLM calls at all, every draft is the deterministic template.
    openai_api_key: SecretStr = Field(default=SecretStr(""), repr=False)
    # Any OpenAI-compatible server; empty means api.openai.com.
    openai_base_url: str = ""
    openai_model: str = "gpt-4o-mini"
    openai_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    # Retries after the first attempt (429, 5xx, timeouts); then the template draft.
    openai_max_retries: int = Field(default=2, ge=0, le=10)
    # Longest Retry-After we wait for inside one draft; longer -> template draft.
    openai_max_retry_wait_seconds: float = Field(default=20.0, ge=0, le=600)
    openai_max_output_tokens: int = Field(default=800, ge=64, le=16000)
    # USD per million tokens, for the usage report (gpt-4o-mini list prices by default).
    openai_prompt_cost_per_mtok: float = Field(default=0.15, ge=0)
    openai_completion_cost_per_mtok: float = Field(default=0.60, ge=0)
