"""When follow-ups are due: N business days after the previous message, same local time.

Business days come from the client's business hours (default Monday to Friday, UTC); a
due time that falls outside the hours moves to the next opening.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: str = "UTC"
    days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    start: time = time(0, 0)
    end: time = time(23, 59, 59)

    def __post_init__(self) -> None:
        if not self.days or any(d not in WEEKDAYS for d in self.days):
            raise ValueError(f"days must be a non-empty subset of {WEEKDAYS}")

    def is_business_day(self, moment: datetime) -> bool:
        return WEEKDAYS[moment.weekday()] in self.days


def add_business_days(moment: datetime, days: int, calendar: BusinessCalendar) -> datetime:
    """`moment` plus `days` business days, counted in the calendar's time zone."""
    if days < 0:
        raise ValueError("days must be >= 0")
    local = moment.astimezone(ZoneInfo(calendar.timezone))
    remaining = days
    while remaining:
        local += timedelta(days=1)
        if calendar.is_business_day(local):
            remaining -= 1
    return within_hours(local, calendar).astimezone(UTC)


def within_hours(moment: datetime, calendar: BusinessCalendar) -> datetime:
    """`moment` if it is inside business hours, else the next opening."""
    zone = ZoneInfo(calendar.timezone)
    local = moment.astimezone(zone)
    for _ in range(8):
        if calendar.is_business_day(local) and local.time() < calendar.end:
            if local.time() >= calendar.start:
                return local.astimezone(UTC)
            opening = datetime.combine(local.date(), calendar.start, tzinfo=zone)
            return opening.astimezone(UTC)
        next_day = local.date() + timedelta(days=1)
        local = datetime.combine(next_day, calendar.start, tzinfo=zone)
    raise AssertionError("a calendar with business days always opens within a week")


def follow_up_due(
    previous_sent_at: datetime, step: int, delays: tuple[int, ...], calendar: BusinessCalendar
) -> datetime | None:
    """Due time of follow-up number `step` (0-based), or None when the sequence is over."""
    if step >= len(delays):
        return None
    return add_business_days(previous_sent_at, delays[step], calendar)
