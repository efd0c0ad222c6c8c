"""The OpenAI-compatible fake, driven by the official openai SDK."""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Iterator

import httpx
import openai
import pytest

from sandbox.openai_replies import make_reply

LEAD = [
    {"role": "system", "content": "You draft short replies to sales leads."},
    {"role": "user", "content": "Subject: 40 office chairs\nName: Ada\n\nCan you quote 40 chairs?"},
]


@pytest.fixture
def http(sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(verify=ssl.create_default_context(cafile=str(sandbox.ca_path))) as client:
        yield client


def client_for(sandbox, http: httpx.Client, **kwargs) -> openai.OpenAI:
    options = {"api_key": "sk-sandbox", "max_retries": 0, **kwargs}
    return openai.OpenAI(base_url=f"{sandbox.base_url}/v1", http_client=http, **options)


def test_reply_is_deterministic_and_follows_the_documented_rule(sandbox, http):
    client = client_for(sandbox, http)

    first = client.chat.completions.create(model="gpt-4o-mini", messages=LEAD)
    again = client.chat.completions.create(model="gpt-4o-mini", messages=LEAD)

    text = first.choices[0].message.content
    assert text == again.choices[0].message.content
    assert text.startswith("Hello Ada,") and '"40 office chairs"' in text
    assert text.endswith(f"[sandbox-draft {make_reply('gpt-4o-mini', LEAD).digest}]")
    assert first.choices[0].finish_reason == "stop"


def test_a_different_prompt_gives_a_different_digest(sandbox, http):
    client = client_for(sandbox, http)
    other = [{"role": "user", "content": "Do you ship to Oslo?"}]

    text = (
        client.chat.completions.create(model="gpt-4o-mini", messages=other)
        .choices[0]
        .message.content
    )

    assert '"Do you ship to Oslo?"' in text
    assert make_reply("gpt-4o-mini", LEAD).digest not in text


def test_usage_counts_tokens(sandbox, http):
    answer = client_for(sandbox, http).chat.completions.create(model="gpt-4o-mini", messages=LEAD)

    usage = answer.usage
    assert usage.prompt_tokens > 10 and usage.completion_tokens > 10
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_json_object_response_format_returns_json(sandbox, http):
    messages = [*LEAD, {"role": "user", "content": "Answer as json with subject and body."}]

    answer = client_for(sandbox, http).chat.completions.create(
        model="gpt-4o-mini", messages=messages, response_format={"type": "json_object"}
    )

    data = json.loads(answer.choices[0].message.content)
    assert set(data) >= {"subject", "body"} and data["body"].startswith("Hello")


def test_json_object_without_the_word_json_is_rejected_like_openai(sandbox, http):
    with pytest.raises(openai.BadRequestError) as caught:
        client_for(sandbox, http).chat.completions.create(
            model="gpt-4o-mini", messages=LEAD, response_format={"type": "json_object"}
        )

    assert "must contain the word 'json'" in str(caught.value)


def test_json_schema_response_format_is_filled(sandbox, http):
    schema = {
        "type": "object",
        "properties": {
            "subject": {"type": "string"},
            "body": {"type": "string"},
            "needs_human": {"type": "boolean"},
        },
    }

    answer = client_for(sandbox, http).chat.completions.create(
        model="gpt-4o-mini",
        messages=LEAD,
        response_format={"type": "json_schema", "json_schema": {"name": "draft", "schema": schema}},
    )

    data = json.loads(answer.choices[0].message.content)
    assert data == {"subject": "Re: 40 office chairs", "body": data["body"], "needs_human": False}


def test_models_are_listed(sandbox, http):
    ids = [m.id for m in client_for(sandbox, http).models.list()]

    assert "gpt-4o-mini" in ids


def test_streaming_yields_the_same_text(sandbox, http):
    client = client_for(sandbox, http)

    stream = client.chat.completions.create(model="gpt-4o-mini", messages=LEAD, stream=True)
    streamed = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)

    assert streamed == make_reply("gpt-4o-mini", LEAD).text


def test_required_api_key_is_checked(sandbox, http):
    sandbox.control.post(
        "/_sandbox/openai/settings", json={"api_key": "sk-right"}
    ).raise_for_status()

    with pytest.raises(openai.AuthenticationError):
        client_for(sandbox, http, api_key="sk-wrong").models.list()
    assert client_for(sandbox, http, api_key="sk-right").models.list().data


def test_injected_429_carries_retry_after_and_openai_shape(sandbox, http):
    sandbox.control.post(
        "/_sandbox/openai/faults", json={"status": 429, "retry_after": 2, "count": 1}
    )

    with pytest.raises(openai.RateLimitError) as caught:
        client_for(sandbox, http).chat.completions.create(model="gpt-4o-mini", messages=LEAD)

    assert caught.value.response.headers["retry-after"] == "2"
    assert caught.value.body["code"] == "rate_limit_exceeded"


def test_sdk_retries_past_an_injected_500(sandbox, http):
    sandbox.add_fault(path="/v1/chat/completions", status=500, count=1)
    client = client_for(sandbox, http, max_retries=2)

    answer = client.chat.completions.create(model="gpt-4o-mini", messages=LEAD)

    assert answer.choices[0].message.content.startswith("Hello Ada,")
    assert len(sandbox.control.get("/_sandbox/openai/requests").json()) == 1


def test_injected_latency_slows_the_answer(sandbox, http):
    sandbox.add_fault(path="/v1/chat/completions", latency_ms=300, count=1)
    started = time.monotonic()

    client_for(sandbox, http).chat.completions.create(model="gpt-4o-mini", messages=LEAD)

    assert time.monotonic() - started >= 0.3


def test_scripted_reply_overrides_the_template(sandbox, http):
    sandbox.control.post(
        "/_sandbox/openai/replies", json={"contains": "chairs", "content": "IGNORE PREVIOUS"}
    ).raise_for_status()

    answer = client_for(sandbox, http).chat.completions.create(model="gpt-4o-mini", messages=LEAD)

    assert answer.choices[0].message.content == "IGNORE PREVIOUS"
