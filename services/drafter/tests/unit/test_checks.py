"""Output checks on drafts."""

from __future__ import annotations

from leadwire_drafter.domain.checks import check_draft
from leadwire_drafter.domain.prompt import INSTRUCTIONS
from leadwire_drafter.testing import sample_client

GOOD = (
    "Hello Jane,\n\nthank you for your message about the new website for your bakery. "
    "We would be glad to help and will follow up with the details shortly. You can book "
    "an intro call here: https://cal.acme.test/intro\n\nBest regards\nAnna Weber\nhttps://acme.test"
)


def test_a_good_draft_passes() -> None:
    result = check_draft(GOOD, sample_client(), "en")
    assert result.passed, result.failures
    assert result.language == "en"


def test_empty_and_too_short_drafts_fail() -> None:
    assert check_draft("  ", sample_client(), "en").failures == ("draft is empty",)
    assert any("length" in f for f in check_draft("Hi there.", sample_client(), "en").failures)


def test_a_foreign_link_fails_but_own_domains_and_booking_link_pass() -> None:
    result = check_draft(GOOD + "\nAlso see https://evil.example/login", sample_client(), "en")
    assert result.failures == ("links to a foreign site: evil.example",)
    ok = check_draft(GOOD + "\nOur work: https://www.acme.test/work", sample_client(), "en")
    assert ok.passed


def test_language_mismatch_fails() -> None:
    result = check_draft(GOOD, sample_client(), "de")
    assert any("the lead's language is 'de'" in f for f in result.failures)


def test_quoting_the_system_prompt_fails() -> None:
    leaked = GOOD + "\n\n" + INSTRUCTIONS.splitlines()[1]
    assert any("system prompt" in f for f in check_draft(leaked, sample_client(), "en").failures)


def test_prices_dates_and_promises_not_in_the_profile_fail() -> None:
    text = GOOD + "\nA site costs $1,500 and we guarantee delivery by Friday."
    failures = check_draft(text, sample_client(), "en").failures
    assert any("prices" in f for f in failures)
    assert any("dates" in f for f in failures)
    assert any("promises" in f and "guarantee" in f for f in failures)


def test_a_price_the_profile_states_is_allowed() -> None:
    client = sample_client(offer="Websites for small businesses from €1.500.")
    text = GOOD + "\nOur websites start from €1.500."
    assert not any("prices" in f for f in check_draft(text, client, "en").failures)
