"""The client's reply policy: when a draft may go out by itself, and not before when.

`send_after` honours the reply delay (a reply seconds after the mail looks automatic)
and the business hours in the client's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from leadwire.events import BusinessHours, ClientChanged, GuardVerdict

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class AutoSendDecision:
    auto_send: bool
    reasons: tuple[str, ...]


def decide_auto_send(
    client: ClientChanged,
    *,
    verdict: GuardVerdict,
    score: int,
    check_failures: list[str],
    has_mailbox: bool,
) -> AutoSendDecision:
    """Whether the sender may send this draft without a person, and why not if not."""
    blockers: list[str] = []
    if client.auto_send == "off":
        blockers.append("auto_send is off for this client")
    if verdict != "pass":
        blockers.append(f"guard verdict is {verdict}")
    if check_failures:
        blockers.append("output checks failed")
    if not has_mailbox:
        blockers.append("no mailbox to send from (set the client's primary mailbox)")
    if client.auto_send == "guarded" and score < client.qualification_threshold:
        blockers.append(f"score {score} is below the threshold {client.qualification_threshold}")
    return AutoSendDecision(auto_send=not blockers, reasons=tuple(blockers))


def send_after(now: datetime, client: ClientChanged, *, with_delay: bool = True) -> datetime | None:
    """Earliest moment a reply may go out; None means at once."""
    earliest = now + timedelta(seconds=client.reply_delay_seconds if with_delay else 0)
    if client.business_hours is not None:
        earliest = next_business_moment(earliest, client.business_hours)
    return None if earliest <= now else earliest.astimezone(UTC)


def next_business_moment(moment: datetime, hours: BusinessHours) -> datetime:
    """`moment` if it falls within business hours, else the next opening time."""
    zone = ZoneInfo(hours.timezone)
    local = moment.astimezone(zone)
    for day_offset in range(8):
        day = (local + timedelta(days=day_offset)).date()
        if _WEEKDAYS[day.weekday()] not in hours.days:
            continue
        opens = datetime.combine(day, hours.start, tzinfo=zone)
        closes = datetime.combine(day, hours.end, tzinfo=zone)
        if day_offset == 0 and opens <= local < closes:
            return moment
        if local < opens:
            return opens.astimezone(UTC)
    raise ValueError("business hours name no day")  # unreachable: days has min_length=1
