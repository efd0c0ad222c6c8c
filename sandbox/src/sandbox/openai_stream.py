"""Usage counts and SSE chunks of the OpenAI-compatible fake's chat completions."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from sandbox.openai_replies import count_tokens, prompt_tokens


def usage_of(messages: list[dict[str, Any]], content: str) -> dict[str, Any]:
    prompt, completion = prompt_tokens(messages), count_tokens(content)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def stream_chunks(
    completion_id: str, model: str, content: str, finish: str, usage: dict[str, Any] | None
) -> Iterator[str]:
    def chunk(delta: dict[str, Any], reason: str | None, **extra: Any) -> str:
        data = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": "fp_sandbox",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": reason}],
            **extra,
        }
        return f"data: {json.dumps(data)}\n\n"

    yield chunk({"role": "assistant", "content": ""}, None)
    words = content.split(" ")
    for start in range(0, len(words), 8):
        piece = " ".join(words[start : start + 8])
        yield chunk({"content": piece if start == 0 else " " + piece}, None)
    yield chunk({}, finish)
    if usage is not None:
        data = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "choices": [],
            "usage": usage,
        }
        yield f"data: {json.dumps(data)}\n\n"
    yield "data: [DONE]\n\n"
