"""One message at a time through intake, against real Postgres: decisions, dedupe,
threads, and the events left in the outbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

from leadwire_ingest.domain.models import ClientInfo, Mailbox
from leadwire_ingest.domain.payloads import FetchedMessage
from leadwire_ingest.intake import ingest_message
from leadwire_ingest.outcomes import Intake
from leadwire_ingest.store import intake, leads, mailboxes

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def raw_mail(
    sender: str = "Ann Lead <ann@customer.example>",
    subject: str = "Quote for 20 seats",
    message_id: str = "<m1@customer.example>",
    extra: str = "",
    body: str = "Hello, could you send a quote?",
) -> bytes:
    return (
        f"From: {sender}\nTo: sales@acme.test\nCc: Bob <bob@customer.example>\n"
        f"Subject: {subject}\nMessage-ID: {message_id}\n{extra}"
        f"Date: Sun, 22 Nov 2026 10:00:00 +0000\n\n{body}\n"
    ).encode()


def fetched(raw: bytes, mid: str = "p1", thread: str | None = "t1", **kw: Any) -> FetchedMessage:
    return FetchedMessage(mid, thread, raw, NOW, **kw)


async def run(
    pool: asyncpg.Pool, mailbox: Mailbox, client: ClientInfo, msg: FetchedMessage
) -> Intake:
    async with pool.acquire() as conn, conn.transaction():
        return await ingest_message(conn, mailbox, client, msg)


async def outbox(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT body FROM outbox ORDER BY seq")
    return [r["body"] for r in rows]


async def test_a_new_inbound_email_becomes_a_lead_with_contact_timeline_and_event(
    ingest_pool: asyncpg.Pool, acme: tuple[ClientInfo, Mailbox]
) -> None:
    client, mailbox = acme
    result = await run(ingest_pool, mailbox, client, fetched(raw_mail()))
    assert result.outcome == "lead" and result.lead_id
    events = await outbox(ingest_pool)
    assert [e["type"] for e in events] == ["lead.received"]
    payload = events[0]["payload"]
    assert payload["from_address"] == "ann@customer.example"
    assert payload["from_name"] == "Ann Lead"
    assert payload["cc"] == ["bob@customer.example"]
    assert payload["provider_thread_id"] == "t1"
    assert payload["body_text"] == "Hello, could you send a quote?"
    async with ingest_pool.acquire() as conn:
        timeline = await leads.lead_timeline(conn, result.lead_id)
    assert [a.kind for a in timeline] == ["email_in"]


async def test_the_same_message_twice_or_in_another_mailbox_is_one_lead(
    ingest_pool: asyncpg.Pool, acme: tuple[ClientInfo, Mailbox]
) -> None:
    client, mailbox = acme
    async with ingest_pool.acquire() as conn:
        await mailboxes.upsert_connected(
            conn, other := uuid4(), client.client_id, "microsoft", "info@acme.test"
        )
        second = await mailboxes.get(conn, other)
    first = await run(ingest_pool, mailbox, client, fetched(raw_mail()))
    again = await run(ingest_pool, mailbox, client, fetched(raw_mail()))
    elsewhere = await run(ingest_pool, second, client, fetched(raw_mail(), mid="graph-1"))
    assert first.outcome == "lead"
    assert again.outcome == "duplicate"
    assert elsewhere.outcome == "duplicate"
    assert len(await outbox(ingest_pool)) == 1


@pytest.mark.parametrize(
    ("sender", "extra", "code"),
    [
        ("ann@customer.example", "Auto-Submitted: auto-replied\n", "auto-reply"),
        ("news@shop.example", "List-Id: <deals.shop.example>\n", "mailing list"),
        ("colleague@acme.test", "", "own domain"),
        ("sales@acme.test", "", "sent by the mailbox itself"),
    ],
)
async def test_not_a_lead_is_recorded_with_its_reason_and_publishes_nothing(
    ingest_pool: asyncpg.Pool, acme: tuple[ClientInfo, Mailbox], sender: str, extra: str, code: str
) -> None:
    client, mailbox = acme
    result = await run(ingest_pool, mailbox, client, fetched(raw_mail(sender=sender, extra=extra)))
    assert result.outcome == "not_lead"
    assert code in result.reason
    assert await outbox(ingest_pool) == []
    reason = await ingest_pool.fetchval(
        "SELECT reason FROM seen_messages WHERE provider_message_id = 'p1'"
    )
    assert code in reason


async def test_provider_spam_label_is_not_a_lead(
    ingest_pool: asyncpg.Pool, acme: tuple[ClientInfo, Mailbox]
) -> None:
    client, mailbox = acme
    result = await run(
        ingest_pool, mailbox, client, fetched(raw_mail(), labels=frozenset({"SPAM"}))
    )
    assert result.outcome == "not_lead" and "spam" in result.reason


async def test_a_reply_after_we_answered_is_lead_replied(
    ingest_pool: asyncpg.Pool, acme: tuple[ClientInfo, Mailbox]
) -> None:
    client, mailbox = acme
    lead = await run(ingest_pool, mailbox, client, fetched(raw_mail()))
    assert lead.lead_id
    async with ingest_pool.acquire() as conn:
        await intake.record_outbound(
            conn, mailbox.mailbox_id, "p-out", "<ours@acme.test>", lead.lead_id, NOW
        )
        await leads.set_status(conn, lead.lead_id, "replied")
    reply = raw_mail(
        message_id="<m2@customer.example>",
        subject="Re: Quote",
        extra="In-Reply-To: <ours@acme.test>\n",
        body="Sounds good!",
    )
    result = await run(ingest_pool, mailbox, client, fetched(reply, mid="p2", thread="t-other"))
    assert result.outcome == "lead_replied" and result.lead_id == lead.lead_id
    types = [e["type"] for e in await outbox(ingest_pool)]
    assert types == ["lead.received", "email.received", "lead.replied"]


async def test_a_message_the_mailbox_sent_by_hand_in_a_lead_thread_is_sent_by_person(
    ingest_pool: asyncpg.Pool, acme: tuple[ClientInfo, Mailbox]
) -> None:
    client, mailbox = acme
    lead = await run(ingest_pool, mailbox, client, fetched(raw_mail()))
    manual = raw_mail(
        sender="sales@acme.test", message_id="<manual@acme.test>", subject="Re: Quote"
    )
    result = await run(
        ingest_pool, mailbox, client, fetched(manual, mid="p3", sent_by_mailbox=True)
    )
    assert result.outcome == "sent_by_person" and result.lead_id == lead.lead_id
    assert (await outbox(ingest_pool))[-1]["type"] == "email.sent_by_person"


async def test_our_own_sent_reply_is_not_sent_by_person(
    ingest_pool: asyncpg.Pool, acme: tuple[ClientInfo, Mailbox]
) -> None:
    client, mailbox = acme
    lead = await run(ingest_pool, mailbox, client, fetched(raw_mail()))
    async with ingest_pool.acquire() as conn:
        await intake.record_outbound(
            conn, mailbox.mailbox_id, "p-out", "<ours@acme.test>", lead.lead_id, NOW
        )
    ours = raw_mail(sender="sales@acme.test", message_id="<ours@acme.test>")
    result = await run(
        ingest_pool, mailbox, client, fetched(ours, mid="p-out", sent_by_mailbox=True)
    )
    assert result.outcome == "sent_by_us"


async def test_a_bounce_of_our_reply_is_email_bounced_for_the_lead(
    ingest_pool: asyncpg.Pool, acme: tuple[ClientInfo, Mailbox]
) -> None:
    client, mailbox = acme
    lead = await run(ingest_pool, mailbox, client, fetched(raw_mail()))
    async with ingest_pool.acquire() as conn:
        await intake.record_outbound(
            conn, mailbox.mailbox_id, "p-out", "<ours@acme.test>", lead.lead_id, NOW
        )
    dsn = raw_mail(
        sender="MAILER-DAEMON <mailer-daemon@mx.example>",
        subject="Undelivered Mail Returned to Sender",
        message_id="<dsn@mx.example>",
        body="550 5.1.1 unknown user\n\nMessage-ID: <ours@acme.test>",
    )
    result = await run(ingest_pool, mailbox, client, fetched(dsn, mid="p4", thread="t9"))
    assert result.outcome == "bounce" and result.lead_id == lead.lead_id
    bounced = (await outbox(ingest_pool))[-1]
    assert bounced["type"] == "email.bounced"
    assert bounced["payload"]["original_rfc_message_id"] == "<ours@acme.test>"


async def test_unparseable_mail_is_recorded_and_skipped(
    ingest_pool: asyncpg.Pool, acme: tuple[ClientInfo, Mailbox]
) -> None:
    client, mailbox = acme
    result = await run(ingest_pool, mailbox, client, fetched(b""))
    assert result.outcome == "unparseable"
    kinds = await ingest_pool.fetch("SELECT kind FROM activities")
    assert [r["kind"] for r in kinds] == ["unparseable"]


async def test_every_cpython_test_message_goes_through_intake(
    ingest_pool: asyncpg.Pool, acme: tuple[ClientInfo, Mailbox]
) -> None:
    import email
    from pathlib import Path

    client, mailbox = acme
    data = Path(email.__file__).parent.parent / "test" / "test_email" / "data"
    files = sorted(data.glob("msg_*.txt"))
    assert files
    for n, path in enumerate(files):
        result = await run(
            ingest_pool, mailbox, client, fetched(path.read_bytes(), mid=f"c{n}", thread=f"t{n}")
        )
        assert result.outcome != "pending", path.name


async def test_a_second_lead_from_a_contact_carries_the_first_in_its_history(
    ingest_pool: asyncpg.Pool, acme: tuple[ClientInfo, Mailbox]
) -> None:
    client, mailbox = acme
    await run(ingest_pool, mailbox, client, fetched(raw_mail()))
    second = raw_mail(message_id="<m9@customer.example>", subject="Another question")
    await run(ingest_pool, mailbox, client, fetched(second, mid="p9", thread="t9"))
    events = await outbox(ingest_pool)
    history = events[-1]["payload"]["history"]
    assert [(h["direction"], h["subject"]) for h in history] == [("in", "Quote for 20 seats")]
