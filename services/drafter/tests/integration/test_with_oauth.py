"""The drafter beside the real oauth service: its client.changed (policy, profile, the
first connected mailbox as primary) drives the drafts."""

from __future__ import annotations

from typing import Any

import pytest

from leadwire.testing import MailboxConnector, TestStack, wait_until
from leadwire_drafter.testing import sample_lead
from sandbox.testing import RunningSandbox

from .conftest import start_drafter

pytestmark = pytest.mark.integration


async def test_a_form_lead_is_drafted_for_the_primary_mailbox_oauth_published(
    stack: TestStack, sandbox: RunningSandbox, connected_mailbox: MailboxConnector
) -> None:
    drafter = await start_drafter(stack, sandbox)  # its queues exist before oauth publishes
    profile = {"offer": "Websites and online shops for tea houses.", "signature": "Anna, Acme"}
    mailbox = await connected_mailbox(
        "google", "sales@acme.test", auto_send="always", profile=profile
    )

    async def primary_known() -> bool:
        stored: Any = await drafter.service.pool.fetchval(
            "SELECT profile->>'primary_mailbox_id' FROM clients WHERE client_id = $1",
            mailbox.client_id,
        )
        return bool(stored == str(mailbox.mailbox_id))

    await wait_until(primary_known)
    lead = sample_lead(
        source="form", mailbox_id=None, provider=None, provider_message_id=None,
        subject="", body_text="", from_address="sam@teahouse-example.com", from_name="",
        form_fields={"name": "Sam", "message": "We need an online shop for our tea house. Could you send a quote?"},
    )  # fmt: skip
    await stack.publish(lead, client_id=mailbox.client_id)

    [draft] = await drafter.created(lead.lead_id)

    assert draft["mailbox_id"] == str(mailbox.mailbox_id)
    assert draft["auto_send"] is True, draft["reasons"]
    assert draft["subject"] == "Your enquiry to Acme"
    assert (
        "Offer: Websites and online shops for tea houses."
        in drafter.llm_requests()[0]["messages"][0]["content"]
    )
