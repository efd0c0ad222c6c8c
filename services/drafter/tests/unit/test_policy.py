"""Auto-send decisions and send_after from business hours, time zone and reply delay."""

from __future__ import annotations

from datetime import UTC, datetime, time

from leadwire.events import BusinessHours
from leadwire_drafter.domain.policy import decide_auto_send, send_after
from leadwire_drafter.testing import NOW, sample_client


def _decide(mode: str, **kw: object) -> bool:
    args: dict[str, object] = {
        "verdict": "pass",
        "score": 80,
        "check_failures": [],
        "has_mailbox": True,
    }
    args.update(kw)
    return decide_auto_send(sample_client(auto_send=mode), **args).auto_send  # type: ignore[arg-type]


def test_off_never_auto_sends() -> None:
    assert not _decide("off")


def test_guarded_needs_guard_threshold_and_checks() -> None:
    assert _decide("guarded")
    assert not _decide("guarded", score=49)
    assert not _decide("guarded", verdict="suspicious")
    assert not _decide("guarded", check_failures=["links to a foreign site"])


def test_always_ignores_the_score_but_not_a_flag() -> None:
    assert _decide("always", score=5)
    assert not _decide("always", verdict="suspicious")
    assert not _decide("always", has_mailbox=False)


def test_reasons_name_every_blocker() -> None:
    decision = decide_auto_send(
        sample_client(auto_send="guarded"),
        verdict="suspicious",
        score=10,
        check_failures=["x"],
        has_mailbox=True,
    )
    assert len(decision.reasons) == 3
    assert any("below the threshold 50" in r for r in decision.reasons)


def test_no_delay_no_hours_means_at_once() -> None:
    assert send_after(NOW, sample_client(reply_delay_seconds=0)) is None


def test_delay_is_added() -> None:
    assert send_after(NOW, sample_client(reply_delay_seconds=300)) == datetime(
        2026, 11, 18, 10, 5, tzinfo=UTC
    )


def test_outside_business_hours_waits_for_the_next_opening_in_the_client_zone() -> None:
    hours = BusinessHours(
        timezone="Europe/Berlin",
        days=["mon", "tue", "wed", "thu", "fri"],
        start=time(9),
        end=time(17),
    )
    friday_evening = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)  # 19:00 in Berlin
    due = send_after(friday_evening, sample_client(business_hours=hours))
    assert due == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 Berlin


def test_within_business_hours_only_the_delay_counts() -> None:
    hours = BusinessHours(timezone="America/New_York", days=["wed"], start=time(4), end=time(12))
    assert send_after(NOW, sample_client(business_hours=hours, reply_delay_seconds=60)) == datetime(
        2026, 11, 18, 10, 1, tzinfo=UTC
    )
