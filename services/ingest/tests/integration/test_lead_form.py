"""The public lead form: JSON and HTML-form posts, CORS, honeypot, duplicates, limits."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from leadwire.events import ClientChanged
from leadwire.testing import ServiceUnderTest, TestStack
from leadwire_ingest.main import create_app
from leadwire_ingest.settings import IngestSettings

pytestmark = pytest.mark.integration
ORIGIN = "https://www.acme.example"


async def ingest_with_client(
    stack: TestStack, **client: Any
) -> tuple[ServiceUnderTest, ClientChanged]:
    ingest = await stack.start(create_app, IngestSettings)
    changed = ClientChanged(
        client_id=uuid.uuid4(),
        slug=f"acme-{uuid.uuid4().hex[:6]}",
        name="Acme",
        revision=1,
        allowed_origins=[ORIGIN],
        primary_mailbox_id=uuid.uuid4(),
        **client,
    )
    await stack.publish(changed, client_id=changed.client_id)
    for _ in range(200):  # until ingest's projection has the client
        if (await ingest.http.options(f"/lead/{changed.slug}")).status_code != 404:
            return ingest, changed
        await asyncio.sleep(0.05)
    raise AssertionError("client.changed never reached ingest")


async def test_a_json_post_is_one_lead_published_from_the_primary_mailbox(stack: TestStack) -> None:
    tap = await stack.tap("lead.received")
    ingest, client = await ingest_with_client(stack)
    body = {
        "email": "Ann@Customer.example",
        "name": "Ann",
        "message": "Call me",
        "utm_source": "ads",
        "page_url": "https://www.acme.example/pricing",
    }
    answer = await ingest.http.post(f"/lead/{client.slug}", json=body, headers={"Origin": ORIGIN})
    assert answer.status_code == 202
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    [event] = await tap.wait_for("lead.received")
    lead = event["payload"]
    assert lead["lead_id"] == answer.json()["lead_id"]
    assert lead["source"] == "form"
    assert lead["mailbox_id"] == str(client.primary_mailbox_id)
    assert lead["from_address"] == "ann@customer.example"
    assert lead["form_fields"]["utm_source"] == "ads"
    assert lead["form_origin"] == ORIGIN
    assert lead["page_url"] == "https://www.acme.example/pricing"


async def test_an_html_form_post_redirects_to_its_thank_you_page(stack: TestStack) -> None:
    ingest, client = await ingest_with_client(stack)
    form = {"email": "bo@customer.example", "message": "hi", "redirect_to": f"{ORIGIN}/thanks"}
    answer = await ingest.http.post(f"/lead/{client.slug}", data=form, headers={"Origin": ORIGIN})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{ORIGIN}/thanks"


async def test_a_redirect_off_the_clients_origins_is_not_followed(stack: TestStack) -> None:
    ingest, client = await ingest_with_client(stack)
    form = {"email": "bo@customer.example", "redirect_to": "https://evil.example/"}
    answer = await ingest.http.post(f"/lead/{client.slug}", data=form)
    assert answer.status_code == 202


async def test_cors_preflight_is_answered_for_allowed_origins_only(stack: TestStack) -> None:
    ingest, client = await ingest_with_client(stack)
    ok = await ingest.http.options(
        f"/lead/{client.slug}",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in ok.headers["access-control-allow-methods"]
    refused = await ingest.http.options(
        f"/lead/{client.slug}", headers={"Origin": "https://evil.example"}
    )
    assert refused.status_code == 403
    posted = await ingest.http.post(
        f"/lead/{client.slug}",
        json={"email": "x@y.example"},
        headers={"Origin": "https://evil.example"},
    )
    assert posted.status_code == 403


async def test_the_same_post_twice_or_with_the_same_idempotency_key_is_one_lead(
    stack: TestStack,
) -> None:
    tap = await stack.tap("lead.received")
    ingest, client = await ingest_with_client(stack)
    body = {"email": "ann@customer.example", "message": "Same  words"}
    first = await ingest.http.post(f"/lead/{client.slug}", json=body)
    again = await ingest.http.post(f"/lead/{client.slug}", json={**body, "message": "same words"})
    keyed = [
        await ingest.http.post(
            f"/lead/{client.slug}",
            json={"email": "c@d.example", "message": m},
            headers={"Idempotency-Key": "k-1"},
        )
        for m in ("one", "two")
    ]
    assert again.json() == {"lead_id": first.json()["lead_id"], "duplicate": True}
    assert keyed[1].json()["lead_id"] == keyed[0].json()["lead_id"]
    assert len(await tap.wait_for("lead.received", at_least=2, settle=0.5)) == 2


async def test_a_honeypot_post_is_stored_flagged_and_never_published(stack: TestStack) -> None:
    tap = await stack.tap("lead.received")
    ingest, client = await ingest_with_client(stack)
    answer = await ingest.http.post(
        f"/lead/{client.slug}",
        json={"email": "bot@spam.example", "message": "buy", "honeypot": "x"},
    )
    assert answer.status_code == 202
    lead = (await ingest.http.get(f"/admin/leads/{answer.json()['lead_id']}")).json()
    assert lead["status"] == "flagged"
    assert "honeypot" in lead["timeline"][0]["summary"]
    assert await tap.wait_for("lead.received", at_least=0, settle=0.5) == []


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 400),
        ({"json": {"email": "not-an-address"}}, 422),
        ({"json": {"name": "no email"}}, 422),
        ({"content": b"x" * 40000, "headers": {"Content-Type": "application/json"}}, 413),
        ({"content": b"<xml/>", "headers": {"Content-Type": "text/xml"}}, 415),
    ],
)
async def test_bad_posts_get_a_clear_4xx(
    stack: TestStack, kwargs: dict[str, Any], code: int
) -> None:
    ingest, client = await ingest_with_client(stack)
    answer = await ingest.http.post(f"/lead/{client.slug}", **kwargs)
    assert answer.status_code == code, answer.text
    if code == 422:
        assert "email" in answer.text


async def test_an_unknown_slug_is_404(stack: TestStack) -> None:
    ingest = await stack.start(create_app, IngestSettings)
    answer = await ingest.http.post("/lead/nobody", json={"email": "a@b.example"})
    assert answer.status_code == 404
