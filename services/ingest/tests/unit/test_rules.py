"""Small rules: status progression, backoff, form dedupe and spam, input validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leadwire_ingest.domain.backoff import next_attempt, should_announce_failure
from leadwire_ingest.domain.form import FormPost, dedupe_key, spam_reasons
from leadwire_ingest.domain.signals import parse_authentication_results
from leadwire_ingest.domain.status import advance
from leadwire_ingest.domain.validation import allowed_redirect, is_valid_email

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current", "proposed", "expected"),
    [
        ("new", "drafted", "drafted"),
        ("replied", "drafted", "replied"),  # a late draft does not undo the reply
        ("replied", "lead_replied", "lead_replied"),
        ("flagged", "awaiting_approval", "flagged"),
        ("closed", "replied", "closed"),
    ],
)
def test_status_only_moves_forward(current: str, proposed: str, expected: str) -> None:
    assert advance(current, proposed) == expected  # type: ignore[arg-type]


def test_backoff_doubles_per_failure_and_is_capped() -> None:
    assert next_attempt(NOW, 300, 0, 3600) == NOW + timedelta(seconds=300)
    assert next_attempt(NOW, 300, 1, 3600) == NOW + timedelta(seconds=600)
    assert next_attempt(NOW, 300, 10, 3600) == NOW + timedelta(seconds=3600)


def test_a_failure_is_announced_once_after_the_threshold() -> None:
    since = NOW - timedelta(seconds=901)
    assert should_announce_failure(since, False, NOW, 900)
    assert not should_announce_failure(since, True, NOW, 900)
    assert not should_announce_failure(NOW - timedelta(seconds=10), False, NOW, 900)


def test_form_dedupe_ignores_case_and_spacing_but_not_content() -> None:
    a = FormPost(email="Ann@X.example", message="Need  a quote")
    assert dedupe_key(a) == dedupe_key(FormPost(email="ann@x.example", message="need a quote"))
    assert dedupe_key(a) != dedupe_key(FormPost(email="ann@x.example", message="other"))


def test_honeypot_and_link_floods_are_spam() -> None:
    assert spam_reasons(FormPost(email="a@b.example", honeypot="http://x")) != []
    flood = " ".join(f"https://s{n}.example" for n in range(5))
    assert "link flood" in spam_reasons(FormPost(email="a@b.example", message=flood))[0]
    assert spam_reasons(FormPost(email="a@b.example", message="see https://acme.example")) == []


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("ann@customer.example", True),
        ("a.b+c@sub.example.co", True),
        ("no-at.example", False),
        ("a@b", False),
        ("a b@c.example", False),
        ("<a@b.example>", False),
        ("a@@b.example", False),
    ],
)
def test_email_validation(value: str, ok: bool) -> None:
    assert is_valid_email(value) is ok


def test_redirects_only_to_the_clients_own_origins() -> None:
    origins = ("https://www.acme.example",)
    assert allowed_redirect("https://www.acme.example/thanks", origins)
    assert not allowed_redirect("https://evil.example/", origins)
    assert not allowed_redirect("javascript:alert(1)", origins)


def test_authentication_results_comments_and_unknown_methods() -> None:
    header = "mx.example; spf=pass (sender ok) smtp.mailfrom=a.example; arc=pass; dkim=hardfail"
    assert parse_authentication_results(header) == {"spf": "pass", "arc": "pass", "dkim": "fail"}
    assert parse_authentication_results("mx.example; none") == {}


def test_a_graph_page_token_only_leads_back_to_our_graph() -> None:
    from leadwire_ingest.providers.base import ProviderError
    from leadwire_ingest.providers.graph import _decode_page_token, _encode_page_token

    api = "https://graph.microsoft.com/v1.0"
    link = f"{api}/me/messages?$skip=20"
    assert _decode_page_token(_encode_page_token(link), api) == link
    for forged in (_encode_page_token("http://169.254.169.254/latest"), "%%%"):
        with pytest.raises(ProviderError):
            _decode_page_token(forged, api)
