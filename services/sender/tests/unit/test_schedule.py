"""Business-day follow-up schedule."""

from __future__ import annotations

from datetime import UTC, datetime, time

from leadwire_sender.domain.schedule import (
    BusinessCalendar,
    add_business_days,
    follow_up_due,
    within_hours,
)

WEEKDAYS = BusinessCalendar()
# 2026-03-06 is a Friday.
FRIDAY_NOON = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)


def test_business_days_skip_the_weekend() -> None:
    assert add_business_days(FRIDAY_NOON, 1, WEEKDAYS) == datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    assert add_business_days(FRIDAY_NOON, 5, WEEKDAYS) == datetime(2026, 3, 13, 12, 0, tzinfo=UTC)


def test_business_days_are_counted_in_the_client_time_zone() -> None:
    # Friday 23:30 UTC is Saturday 00:30 in Berlin: +1 business day is Monday 00:30 there,
    # which is still Sunday in UTC (a UTC count would have said Monday 23:30).
    calendar = BusinessCalendar(timezone="Europe/Berlin")
    late_friday = datetime(2026, 3, 6, 23, 30, tzinfo=UTC)
    assert add_business_days(late_friday, 1, calendar) == datetime(2026, 3, 8, 23, 30, tzinfo=UTC)


def test_a_due_time_after_hours_moves_to_the_next_opening() -> None:
    calendar = BusinessCalendar(start=time(9), end=time(17))
    evening = datetime(2026, 3, 6, 18, 0, tzinfo=UTC)  # Friday after closing
    assert within_hours(evening, calendar) == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    early = datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
    assert within_hours(early, calendar) == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def test_follow_up_sequence_ends_after_the_last_delay() -> None:
    delays = (2, 5)
    assert follow_up_due(FRIDAY_NOON, 0, delays, WEEKDAYS) == datetime(2026, 3, 10, 12, tzinfo=UTC)
    assert follow_up_due(FRIDAY_NOON, 1, delays, WEEKDAYS) == datetime(2026, 3, 13, 12, tzinfo=UTC)
    assert follow_up_due(FRIDAY_NOON, 2, delays, WEEKDAYS) is None
