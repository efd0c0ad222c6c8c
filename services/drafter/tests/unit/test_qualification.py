"""Rule-based qualification: score 0-100 with reasons."""

from __future__ import annotations

from leadwire_drafter.domain.qualification import qualify
from leadwire_drafter.testing import sample_client, sample_lead


def test_a_fitting_concrete_lead_from_a_company_scores_high() -> None:
    result = qualify(sample_lead(), sample_client())
    assert result.score >= 70
    assert result.source == "rules"
    assert any("fits the offer" in r for r in result.reasons)
    assert any("company domain" in r for r in result.reasons)


def test_a_vendor_pitch_from_free_mail_scores_low() -> None:
    pitch = sample_lead(
        from_address="seo.expert@gmail.com",
        subject="Partnership",
        body_text="Hello, we offer SEO services and link building to rank your website "
        "on the first page of Google. Reply for a free audit.",
    )
    result = qualify(pitch, sample_client())
    assert result.score < 30
    assert any("not a buyer" in r for r in result.reasons)
    assert any("free-mail" in r for r in result.reasons)


def test_score_stays_within_bounds() -> None:
    tiny = qualify(
        sample_lead(body_text="hi", subject="", from_address="x@gmail.com"), sample_client()
    )
    assert 0 <= tiny.score <= 100
