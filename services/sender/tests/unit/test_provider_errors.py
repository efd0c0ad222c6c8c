"""Reading Google's and Graph's error bodies into a ProviderFailure."""

from __future__ import annotations

import httpx

from leadwire_sender.providers.base import failure_from_response


def test_google_error_reason_and_retry_after() -> None:
    body = {
        "error": {
            "code": 429,
            "message": "Rate Limit Exceeded",
            "errors": [{"reason": "userRateLimitExceeded", "domain": "usageLimits"}],
            "status": "RESOURCE_EXHAUSTED",
        }
    }
    failure = failure_from_response(httpx.Response(429, json=body, headers={"Retry-After": "7"}))
    assert (failure.status, failure.reason, failure.retry_after) == (
        429,
        "userRateLimitExceeded",
        7,
    )
    assert failure.message == "Rate Limit Exceeded"


def test_graph_error_code_is_the_reason() -> None:
    body = {
        "error": {
            "code": "ErrorInvalidRecipients",
            "message": "At least one recipient isn't valid.",
        }
    }
    failure = failure_from_response(httpx.Response(400, json=body))
    assert (failure.status, failure.reason, failure.retry_after) == (
        400,
        "ErrorInvalidRecipients",
        None,
    )


def test_a_body_that_is_not_json_still_gives_the_status() -> None:
    failure = failure_from_response(httpx.Response(502, text="<html>Bad gateway</html>"))
    assert (failure.status, failure.reason, failure.message) == (502, "", "")
