import io
import json
import logging
import uuid

import pytest
import structlog

from leadwire.logging import (
    bind_event_context,
    configure_logging,
    get_logger,
    redact_url,
    scrub_secrets,
)

SLACK_URL = "https://hooks.slack.com/services/T0123ABC/B0456DEF/abcdefSECRET123456"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLXZhbHVl"
GOOGLE_ACCESS = "ya29.a0AfH6SMBx-secretaccess"
GOOGLE_REFRESH = "1//0gRefreshTokenSecretValue"
OPENAI_KEY = "sk-proj-abcdefghijklmnopqrstuv"
SECRETS = [
    SLACK_URL.rsplit("/", 1)[1],
    JWT,
    GOOGLE_ACCESS,
    GOOGLE_REFRESH,
    OPENAI_KEY,
    "4/0AuthCodeValue",
    "plain-client-secret",
    "hunter2-password",
    "sess-cookie-value",
]


@pytest.fixture
def output():
    root, access = logging.getLogger(), logging.getLogger("faststream.access.rabbit")
    saved = (list(root.handlers), root.level, list(access.handlers), access.propagate)
    stream = io.StringIO()
    configure_logging("ingest", level="DEBUG", json=True, stream=stream)
    yield stream
    root.handlers, access.handlers, access.propagate = saved[0], saved[2], saved[3]
    root.setLevel(saved[1])
    structlog.reset_defaults()


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def _assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


def test_lines_are_json_with_service_level_and_utc_timestamp(output):
    get_logger("t").info("lead.stored", lead_id="L1")
    [line] = _lines(output)
    assert line["event"] == "lead.stored"
    assert line["service"] == "ingest"
    assert line["level"] == "info"
    assert line["timestamp"].endswith("Z")
    assert line["lead_id"] == "L1"


def test_event_context_is_bound_inside_the_block_only(output):
    event_id, correlation_id = uuid.uuid4(), uuid.uuid4()
    log = get_logger("t")
    with bind_event_context(event_id=event_id, correlation_id=correlation_id, client_id=None):
        log.info("inside")
        logging.getLogger("faststream").info("stdlib inside")
    log.info("outside")
    inside, stdlib_inside, outside = _lines(output)
    assert inside["event_id"] == str(event_id)
    assert inside["correlation_id"] == str(correlation_id)
    assert "client_id" not in inside
    assert stdlib_inside["event_id"] == str(event_id)
    assert "event_id" not in outside


def test_secret_keys_are_redacted_at_any_depth(output):
    get_logger("t").info(
        "token.refreshed",
        access_token=GOOGLE_ACCESS,
        refresh_token=GOOGLE_REFRESH,
        response={"id_token": JWT, "nested": [{"client_secret": "plain-client-secret"}]},
        headers={"Authorization": "Bearer abc", "Cookie": "sess-cookie-value"},
        password="hunter2-password",
        slack_url=SLACK_URL,
        code="4/0AuthCodeValue",
        has_slack_webhook=True,
        prompt_tokens=42,
    )
    text = output.getvalue()
    _assert_no_secret(text)
    [line] = _lines(output)
    assert line["access_token"] == "[REDACTED]"
    assert line["response"]["nested"][0]["client_secret"] == "[REDACTED]"
    assert line["has_slack_webhook"] is True  # flags and counters stay readable
    assert line["prompt_tokens"] == 42


def test_secret_values_are_redacted_inside_free_text(output):
    log = get_logger("t")
    log.info(f"calling with Authorization: Bearer {GOOGLE_ACCESS}")
    log.info(f"webhook {SLACK_URL} answered 500")
    log.info("redirect", url="https://app/cb?code=4/0AuthCodeValue&state=abc&scope=mail")
    log.info("body", text=f'{{"access_token": "{GOOGLE_ACCESS}", "expires_in": 3599}}')
    log.info("jwt in text", detail=f"token was {JWT}")
    log.info("openai", detail=f"key {OPENAI_KEY} refused")
    log.info("refresh", detail=f"refresh_token={GOOGLE_REFRESH}&grant_type=refresh_token")
    text = output.getvalue()
    _assert_no_secret(text)
    assert "state=abc" in text and "scope=mail" in text
    body = _lines(output)[3]
    assert body["text"] == '{"access_token": "[REDACTED]", "expires_in": 3599}'


def test_stdlib_records_with_args_are_scrubbed(output):
    logging.getLogger("uvicorn.access").info(
        '%s - "GET /oauth/google/callback?code=%s HTTP/1.1" 302', "127.0.0.1", "4/0AuthCodeValue"
    )
    [line] = _lines(output)
    assert line["logger"] == "uvicorn.access"
    assert line["service"] == "ingest"
    _assert_no_secret(output.getvalue())


def test_exception_text_is_scrubbed(output):
    try:
        raise RuntimeError(f"token endpoint said no to refresh_token={GOOGLE_REFRESH}")
    except RuntimeError:
        get_logger("t").exception("refresh.failed")
        logging.getLogger("aio_pika").exception("stdlib failure with %s", OPENAI_KEY)
    lines = _lines(output)
    assert "RuntimeError" in lines[0]["exception"]
    _assert_no_secret(output.getvalue())


def test_error_codes_and_ids_are_not_redacted():
    out = scrub_secrets(
        None,
        "info",
        {
            "event": "mailbox.revoked error_code=invalid_grant",
            "error_code": "invalid_grant",
            "status_code": 401,
            "routing_key": "lead.received",
            "mailbox_id": "m-1",
        },
    )
    assert out["error_code"] == "invalid_grant"
    assert out["event"].endswith("error_code=invalid_grant")
    assert out["routing_key"] == "lead.received"


def test_redact_url_hides_password_query_secrets_and_slack_path():
    assert (
        redact_url("amqp://guest:guest@127.0.0.1:5672/")
        == "amqp://guest:[REDACTED]@127.0.0.1:5672/"
    )
    url = redact_url("https://x/cb?code=abc123&state=s&access_token=t0k")
    assert "abc123" not in url and "t0k" not in url and "state=s" in url
    assert "abcdefSECRET123456" not in redact_url(SLACK_URL)
    # The sandbox's webhook tokens are url-safe base64: '-' and '_' must not end the match.
    assert "SECRET" not in redact_url("https://127.0.0.1:8900/services/T1/B2/ab-SECRET_x")
    assert redact_url("https://example.com/a?b=1") == "https://example.com/a?b=1"


def test_console_mode_is_scrubbed_too():
    stream = io.StringIO()
    root = logging.getLogger()
    saved = list(root.handlers)
    try:
        configure_logging("sender", json=False, stream=stream)
        get_logger("t").info("sent", api_key=OPENAI_KEY)
    finally:
        root.handlers = saved
        structlog.reset_defaults()
    assert OPENAI_KEY not in stream.getvalue()
    assert "sent" in stream.getvalue()


def test_faststream_access_logger_goes_through_the_scrubbing_handler(output):
    access = logging.getLogger("faststream.access.rabbit")
    access.info("consumed message with token=%s", GOOGLE_ACCESS)
    [line] = _lines(output)
    assert line["logger"] == "faststream.access.rabbit"
    assert access.propagate is False  # FastStream's own setting; we own its handler instead
    _assert_no_secret(output.getvalue())
