"""Templates (CRUD, preview, strict variables) and bulk send jobs over the admin API."""

from __future__ import annotations

from uuid import uuid4

import pytest

from leadwire.testing import MailboxConnector, TestStack, wait_until
from sandbox.testing import RunningSandbox

from .service_helpers import knows_mailbox, start_sender

pytestmark = pytest.mark.integration

TEMPLATE = {
    "name": "welcome",
    "subject": "Hallo {{ name }}",
    "body_text": "Hallo {{ name }}, hier ist {{ offer }}.",
    "body_html": "<p>Hallo {{ name }}, hier ist <b>{{ offer }}</b>.</p>",
}


async def test_template_crud_and_preview(stack: TestStack) -> None:
    sender = await start_sender(stack)
    client_id = str(uuid4())

    created = await sender.http.post("/admin/templates", json={**TEMPLATE, "client_id": client_id})
    assert created.status_code == 201, created.text
    template = created.json()
    assert template["variables"] == ["name", "offer"]
    duplicate = await sender.http.post(
        "/admin/templates", json={**TEMPLATE, "client_id": client_id}
    )
    assert duplicate.status_code == 409

    preview = await sender.http.post(
        f"/admin/templates/{template['id']}/preview",
        json={"variables": {"name": "Zoë", "offer": "<10 €>"}},
    )
    assert preview.status_code == 200
    assert preview.json()["subject"] == "Hallo Zoë"
    assert "&lt;10 €&gt;" in preview.json()["html"]
    missing = await sender.http.post(
        f"/admin/templates/{template['id']}/preview", json={"variables": {"name": "Zoë"}}
    )
    assert missing.status_code == 422
    assert missing.json()["detail"]["missing"] == ["offer"]

    patched = await sender.http.patch(
        f"/admin/templates/{template['id']}", json={"subject": "Hi {{ name }}"}
    )
    assert patched.json()["subject"] == "Hi {{ name }}"
    broken = await sender.http.patch(f"/admin/templates/{template['id']}", json={"subject": "{{ x"})
    assert broken.status_code == 422
    listed = await sender.http.get("/admin/templates", params={"client_id": client_id})
    assert [t["id"] for t in listed.json()] == [template["id"]]
    assert (await sender.http.delete(f"/admin/templates/{template['id']}")).status_code == 204
    assert (await sender.http.get(f"/admin/templates/{template['id']}")).status_code == 404


async def test_a_bulk_job_with_one_bad_recipient_sends_the_rest(
    stack: TestStack, sandbox: RunningSandbox, connected_mailbox: MailboxConnector
) -> None:
    sender = await start_sender(stack)
    mailbox = await connected_mailbox("google", "sales@acme.test")
    await knows_mailbox(sender, mailbox.mailbox_id)
    template = (
        await sender.http.post(
            "/admin/templates", json={**TEMPLATE, "client_id": str(mailbox.client_id)}
        )
    ).json()
    recipients = [
        {"address": f"lead{i}@example.org", "name": f"Lead {i}", "variables": {"offer": "Plan A"}}
        for i in range(5)
    ]
    recipients[2]["variables"] = {}  # this one cannot be rendered: it alone fails

    created = await sender.http.post(
        "/admin/jobs/send",
        json={
            "client_id": str(mailbox.client_id),
            "source": "recipients",
            "mailbox_id": str(mailbox.mailbox_id),
            "template_id": template["id"],
            "recipients": recipients,
        },
    )
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]

    async def finished() -> bool:
        return (await sender.http.get(f"/admin/jobs/{job_id}")).json()["status"] == "done"

    await wait_until(finished, within=20)
    job = (await sender.http.get(f"/admin/jobs/{job_id}")).json()
    assert (job["total"], job["sent"], job["failed"], job["progress"]) == (5, 4, 1, 1.0)
    subjects = sorted(m["headers"]["Subject"] for m in sandbox.sent(mailbox.address))
    assert subjects == ["Hallo Lead 0", "Hallo Lead 1", "Hallo Lead 3", "Hallo Lead 4"]


async def test_a_cancelled_job_sends_nothing_more(
    stack: TestStack, sandbox: RunningSandbox, connected_mailbox: MailboxConnector
) -> None:
    # One send per minute: the first goes, the job is cancelled before any other.
    sender = await start_sender(stack, gmail_sends_per_second=1 / 60, gmail_burst=1)
    mailbox = await connected_mailbox("google", "sales@acme.test")
    await knows_mailbox(sender, mailbox.mailbox_id)
    template = (
        await sender.http.post(
            "/admin/templates", json={**TEMPLATE, "client_id": str(mailbox.client_id)}
        )
    ).json()
    recipients = [
        {"address": f"lead{i}@example.org", "variables": {"name": "x", "offer": "y"}}
        for i in range(4)
    ]
    created = await sender.http.post(
        "/admin/jobs/send",
        json={"client_id": str(mailbox.client_id), "source": "recipients",
              "template_id": template["id"], "recipients": recipients,
              "mailbox_id": str(mailbox.mailbox_id)},
    )  # fmt: skip
    job_id = created.json()["id"]

    async def one_sent() -> bool:
        return (await sender.http.get(f"/admin/jobs/{job_id}")).json()["sent"] == 1

    await wait_until(one_sent, within=10)
    cancelled = (await sender.http.post(f"/admin/jobs/{job_id}/cancel")).json()
    assert (cancelled["status"], cancelled["sent"], cancelled["cancelled"]) == ("cancelled", 1, 3)
    assert len(sandbox.sent(mailbox.address)) == 1


async def test_a_job_for_a_list_without_template_is_refused(stack: TestStack) -> None:
    sender = await start_sender(stack)
    answer = await sender.http.post(
        "/admin/jobs/send",
        json={"client_id": str(uuid4()), "source": "recipients",
              "recipients": [{"address": "a@example.org"}]},
    )  # fmt: skip
    assert answer.status_code == 422
    assert "template_id" in answer.json()["detail"]


async def test_a_recipient_the_provider_refuses_fails_alone(
    stack: TestStack, sandbox: RunningSandbox, connected_mailbox: MailboxConnector
) -> None:
    sender = await start_sender(stack)
    mailbox = await connected_mailbox("google", "sales@acme.test")
    await knows_mailbox(sender, mailbox.mailbox_id)
    template = (
        await sender.http.post(
            "/admin/templates", json={**TEMPLATE, "client_id": str(mailbox.client_id)}
        )
    ).json()
    # Gmail answers one of the sends 400 (as for a recipient it refuses).
    sandbox.add_fault(path="/gmail/v1/users/me/messages/send", method="POST", status=400, count=1)
    recipients = [
        {"address": f"lead{i}@example.org", "name": f"Lead {i}", "variables": {"offer": "A"}}
        for i in range(5)
    ]
    created = await sender.http.post(
        "/admin/jobs/send",
        json={"client_id": str(mailbox.client_id), "source": "recipients",
              "template_id": template["id"], "recipients": recipients,
              "mailbox_id": str(mailbox.mailbox_id)},
    )  # fmt: skip
    job_id = created.json()["id"]

    async def finished() -> bool:
        return (await sender.http.get(f"/admin/jobs/{job_id}")).json()["status"] == "done"

    await wait_until(finished, within=20)
    job = (await sender.http.get(f"/admin/jobs/{job_id}")).json()
    assert (job["sent"], job["failed"]) == (4, 1)
    assert len(sandbox.sent(mailbox.address)) == 4
    failed = await sender.http.get(
        "/admin/outbound", params={"status": "failed", "client_id": str(mailbox.client_id)}
    )
    assert [o["error_code"] for o in failed.json()["items"]] == ["http_400_backendError"]
