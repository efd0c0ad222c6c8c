"""`make demo`: the main job, end to end on the sandbox, through the gateway.

Starts the sandbox providers, the five services and the gateway; signs in; creates a
client (guarded auto-send, business hours that include now, a Slack webhook); connects a
Gmail and an Outlook mailbox through the real OAuth redirects; delivers a lead to each,
one lead-form post, one auto-reply and one newsletter; then shows each lead with its score
and draft, the replies sent from the right mailbox in the same thread, the Slack messages,
the not-leads with their reasons; approves a held draft with a signed Slack click; and
has a lead reply, which stops its follow-up. Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

import asyncpg
import httpx
from stack import SLACK_SIGNING_SECRET, Stack, StackConfig, reset_database

from leadwire.http import ssl_context

T = TypeVar("T")

GMAIL = "hello@northwind-studio.example"
OUTLOOK = "sales@contoso-consulting.example"
LEAD_GMAIL = "ann.lee@brightlane.example"  # the leads' own sandbox mailboxes
LEAD_OUTLOOK = "bob.ortiz@harbourfreight.example"
FORM_EMAIL = "carla@meridian-labs.example"


class DemoFailed(Exception):
    pass


def wait_for(what: str, probe: Callable[[], T | None], within: float = 60.0) -> T:
    """Poll `probe` until it returns something truthy; fail the demo naming `what`."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.25)
    raise DemoFailed(f"timed out after {within:.0f}s waiting for {what}")


def step(text: str) -> None:
    print(f"\n▶ {text}", flush=True)


def browser_connect(
    api: httpx.Client, client_id: str, provider: str, login_hint: str, ca_path: str
) -> dict[str, Any]:
    """Ask for an auth URL, then follow every redirect as a browser would."""
    started = api.post(
        f"/admin/clients/{client_id}/connect/{provider}", json={"login_hint": login_hint}
    )
    started.raise_for_status()
    auth_url = started.json()["auth_url"]
    print(f"  auth URL: {auth_url.split('?')[0]}?…")
    browser = httpx.Client(
        verify=ssl_context(ca_path),
        follow_redirects=True,
        timeout=20,
        cookies=api.cookies,
        headers={"Accept": "application/json"},
    )
    with browser:
        landed = browser.get(auth_url)
    hops = " → ".join(str(r.url).split("?")[0] for r in [*landed.history, landed])
    print(f"  browser hops: {hops}")
    body: dict[str, Any] = landed.json()
    return body


CLIENT = {
    "name": "Northwind Studio",
    "auto_send": "guarded",
    # Every day, all day: the demo's replies may go out now, whenever it is run.
    "business_hours": {
        "timezone": "UTC",
        "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "start": "00:00",
        "end": "23:59",
    },
    "reply_delay_seconds": 0,
    "pipeline": {"follow_up": {"enabled": True, "delays_business_days": [2, 5]}},
    "profile": {
        "offer": "Brand identity and websites for small companies",
        "tone": "warm, direct",
        "signature": "— Anna, Northwind Studio",
        "booking_link": "https://cal.example/northwind",
        "language": "en",
    },
    "allowed_origins": ["https://northwind-studio.example"],
}


def create_mailboxes(sandbox: httpx.Client) -> None:
    step("Create the client's two mailboxes and the leads' own mailboxes at the sandbox")
    for provider, address, name in (
        ("google", GMAIL, "Northwind Studio"),
        ("microsoft", OUTLOOK, "Contoso Sales"),
        ("google", LEAD_GMAIL, "Ann Lee"),
        ("microsoft", LEAD_OUTLOOK, "Bob Ortiz"),
    ):
        body = {"provider": provider, "address": address, "display_name": name}
        sandbox.post("/_sandbox/mailboxes", json=body).raise_for_status()
    print(f"  client: {GMAIL} (Gmail), {OUTLOOK} (Outlook); leads: {LEAD_GMAIL}, {LEAD_OUTLOOK}")


def sign_in(api: httpx.Client, password: str) -> None:
    step("Sign in as the admin (POST /admin/login through the gateway)")
    login = api.post("/admin/login", json={"username": "admin", "password": password})
    login.raise_for_status()
    api.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    print("  got a bearer JWT, valid", login.json()["expires_in"], "s")


def create_client(api: httpx.Client, sandbox: httpx.Client) -> dict[str, Any]:
    step("Create a client with its reply policy, drafting profile and Slack webhook")
    hook = sandbox.post("/_sandbox/slack/webhooks", json={"name": "northwind", "burst": 3})
    hook.raise_for_status()
    body = {
        **CLIENT,
        "slug": f"northwind-{int(time.time())}",
        "slack_webhook_url": hook.json()["url"],
    }
    created = api.post("/admin/clients", json=body)
    created.raise_for_status()
    client: dict[str, Any] = created.json()
    print(f"  client {client['id']} slug={client['slug']} slack={client['slack_webhook']} (masked)")
    client["slack_hook_id"] = hook.json()["id"]
    return client


def show_status(api: httpx.Client, client_id: str) -> list[dict[str, Any]]:
    step("Connection status (GET /admin/clients/{id}/connection-status)")
    status = api.get(f"/admin/clients/{client_id}/connection-status")
    status.raise_for_status()
    items: list[dict[str, Any]] = status.json()
    for item in items:
        print(
            f"  {item['provider']:<10} {item['address'] or '-':<36} {item['status']:<14}"
            f" last refresh {item['last_refresh_at'] or '-'}"
        )
    return items


def show_provider_health() -> None:
    step("Provider health (GET /health/providers on oauth)")
    for item in httpx.get("http://127.0.0.1:8001/health/providers", timeout=10).json():
        print(
            f"  {item['provider']:<10} {item['status']:<15} token endpoint answers: "
            f"{item['token_endpoint_reachable']}"
        )


INBOUND = (
    (
        GMAIL,
        {
            "from": LEAD_GMAIL,
            "from_name": "Ann Lee",
            "subject": "New brand identity for our bakery chain",
            "text": "Hi! We run 4 bakeries in Leeds and need a new logo and website "
            "before our spring opening. Budget around 8k. Can we talk next week?\n\nAnn",
        },
    ),
    (
        OUTLOOK,
        {
            "from": LEAD_OUTLOOK,
            "from_name": "Bob Ortiz",
            "subject": "Consulting for our logistics team",
            "text": "Hello, we are looking for help to streamline our dispatch process "
            "this quarter. Who can I speak to about scope and pricing?\n\nBob",
            # a failed DMARC check: the guard holds this draft for a person
            "headers": {"Authentication-Results": "mx.example; spf=pass; dkim=pass; dmarc=fail"},
        },
    ),
    (
        GMAIL,
        {
            "from": "dave@example-partner.example",
            "subject": "Out of office: back on Monday",
            "text": "I am away until Monday with limited access to email.",
            "auto_reply": True,
        },
    ),
    (
        GMAIL,
        {
            "from": "news@design-weekly.example",
            "subject": "Design Weekly #212",
            "text": "This week's best logos and type.",
            "headers": {
                "List-Id": "<weekly.design-weekly.example>",
                "List-Unsubscribe": "<https://design-weekly.example/u>",
            },
            "precedence": "bulk",
        },
    ),
)


def deliver_intake(sandbox: httpx.Client, api: httpx.Client, slug: str) -> None:
    step("Inbound: a lead to each mailbox, a lead-form post, an auto-reply and a newsletter")
    for address, message in INBOUND:
        sandbox.post(f"/_sandbox/mailboxes/{address}/inbound", json=message).raise_for_status()
    form = api.post(
        f"/lead/{slug}",
        json={
            "name": "Carla Mendes",
            "email": FORM_EMAIL,
            "company": "Meridian Labs",
            "message": "We need a website refresh for our lab before a funding round in "
            "March. Could you send availability and a rough quote?",
        },
    )
    if form.status_code != 202:
        raise DemoFailed(f"lead form answered {form.status_code}: {form.text}")
    print("  2 lead emails, 1 auto-reply, 1 newsletter delivered; form answered 202")


def leads_of(api: httpx.Client, client_id: str) -> list[dict[str, Any]]:
    answer = api.get("/admin/leads", params={"client_id": client_id, "limit": 50})
    answer.raise_for_status()
    body = answer.json()
    return list(body["leads"])


def sent_by(sandbox: httpx.Client, address: str) -> list[dict[str, Any]]:
    return list(sandbox.get(f"/_sandbox/mailboxes/{address}/sent").json())


def show_leads(api: httpx.Client, client_id: str, started: float) -> list[dict[str, Any]]:
    step("Leads stored, each linked to its contact (GET /admin/leads)")
    leads = wait_for(
        "3 leads",
        lambda: (lambda ls: ls if len(ls) >= 3 else None)(leads_of(api, client_id)),
        within=60,
    )
    print(f"  {len(leads)} leads after {time.monotonic() - started:.1f}s")
    for lead in leads:
        who = lead.get("from_address") or lead.get("contact", {}).get("email")
        print(f"  · {lead.get('source', '?'):<5} {who:<36} {lead.get('subject', '')[:50]!r}")
    return leads


def show_drafts(api: httpx.Client, client_id: str) -> list[dict[str, Any]]:
    step("Drafts with score and guard verdict (GET /admin/drafts)")

    def three() -> list[dict[str, Any]] | None:
        answer = api.get("/admin/drafts", params={"client_id": client_id})
        items = list(answer.json()["items"]) if answer.status_code == 200 else []
        return items if len(items) >= 3 else None

    drafts = wait_for("3 drafts", three, within=60)
    for draft in drafts:
        print(
            f"  · score {draft['score']:>3}  guard {draft['guard_verdict']:<10}"
            f" {draft['status']:<18} {draft['subject'][:48]!r}"
        )
        if draft["reasons"]:
            print(f"      held because: {'; '.join(draft['reasons'])[:110]}")
    return drafts


def approve_by_slack_click(
    sandbox: httpx.Client, config: StackConfig, hook_id: str, drafts: list[dict[str, Any]]
) -> str:
    step("A held draft is approved by a signed Slack click")
    held = [d for d in drafts if d["status"] == "awaiting_approval"]
    if not held:
        print("  (no draft awaits approval)")
        return ""
    draft = held[0]

    def button() -> dict[str, Any] | None:
        for message in sandbox.get(f"/_sandbox/slack/webhooks/{hook_id}/messages").json():
            for block in message.get("blocks") or []:
                for element in block.get("elements") or []:
                    if element.get("value") == draft["id"] and "approve" in element.get(
                        "action_id", ""
                    ):
                        return {"block": block, "element": element, "message": message}
        return None

    found = wait_for("the Slack message with the Approve button", button, within=30)
    click = sandbox.post(
        "/_sandbox/slack/interactions",
        json={
            "url": f"{config.public_url}/webhooks/slack/interactions",
            "signing_secret": SLACK_SIGNING_SECRET,
            "action_id": found["element"]["action_id"],
            "value": draft["id"],
            "block_id": found["block"].get("block_id", ""),
            "user": {"id": "U0DEMO", "username": "anna"},
        },
    ).json()
    print(f"  Slack → /webhooks/slack/interactions answered {click['status']}")
    return str(draft["id"])


def show_replies(sandbox: httpx.Client) -> int:
    step("Replies sent from the mailbox the lead wrote to, in the same thread")

    def replies() -> list[tuple[str, dict[str, Any]]] | None:
        out = [(GMAIL, m) for m in sent_by(sandbox, GMAIL)]
        out += [(OUTLOOK, m) for m in sent_by(sandbox, OUTLOOK)]
        return out if len(out) >= 3 else None

    sent = wait_for("3 replies at the sandbox", replies, within=90)
    in_thread = 0
    for address, message in sent:
        headers = message["headers"]
        # an email lead is answered in its thread; a form lead in a new one
        form_reply = FORM_EMAIL in headers.get("To", "")
        threaded = (
            not headers.get("In-Reply-To") if form_reply else bool(headers.get("In-Reply-To"))
        )
        in_thread += threaded
        print(
            f"  ✓ from {address:<34} to {headers.get('To', '')[:34]:<34}"
            f" {headers.get('Subject', '')[:40]!r}"
            f" {'new thread (form lead)' if form_reply else 'in the lead thread'}"
        )
    return in_thread


def show_slack(sandbox: httpx.Client, hook_id: str) -> int:
    step("Slack messages (the sandbox's incoming webhook)")
    messages = sandbox.get(f"/_sandbox/slack/webhooks/{hook_id}/messages").json()
    for message in messages[-8:]:
        print(f"  · {(message.get('text') or '')[:100]}")
    return len(messages)


async def not_leads(config: StackConfig) -> list[tuple[str, str]]:
    conn = await asyncpg.connect(config.database_url)
    try:
        rows = await conn.fetch(
            "SELECT outcome, reason FROM ingest.seen_messages WHERE outcome = 'not_lead'"
            " ORDER BY seen_at"
        )
    finally:
        await conn.close()
    return [(r["outcome"], r["reason"]) for r in rows]


def lead_replies(sandbox: httpx.Client, api: httpx.Client, client_id: str) -> str:
    step("Ann replies from her own mailbox: the lead is marked replied, follow-ups stop")
    ours = [m for m in sent_by(sandbox, GMAIL) if LEAD_GMAIL in m["headers"].get("To", "")]
    if not ours:
        raise DemoFailed("no reply to Ann was sent")
    headers = ours[0]["headers"]
    # Ann's mail client answers our reply: same thread by In-Reply-To / References
    reply = sandbox.post(
        f"/_sandbox/mailboxes/{GMAIL}/inbound",
        json={
            "from": LEAD_GMAIL,
            "from_name": "Ann Lee",
            "subject": "Re: " + headers.get("Subject", "").removeprefix("Re: "),
            "text": "Great, Tuesday 10:00 works for us.\n\nAnn",
            "in_reply_to": headers.get("Message-ID"),
            "references": [
                r
                for r in [*(headers.get("References") or "").split(), headers.get("Message-ID")]
                if r
            ],
        },
    )
    if reply.status_code != 201:
        raise DemoFailed(f"Ann's reply was refused: {reply.status_code} {reply.text}")

    def replied() -> str | None:
        for lead in leads_of(api, client_id):
            if lead.get("status") == "lead_replied":
                return str(lead.get("id"))
        return None

    lead_id = wait_for("the lead to be marked lead_replied", replied, within=60)
    print(f"  lead {lead_id} is lead_replied; its follow-ups are cancelled")
    return lead_id


def run_demo(stack_config: StackConfig) -> dict[str, Any]:
    ca_path = str(stack_config.ca_path)
    sandbox = httpx.Client(
        base_url=stack_config.sandbox_url, verify=ssl_context(ca_path), timeout=10
    )
    api = httpx.Client(base_url=stack_config.public_url, timeout=20)
    create_mailboxes(sandbox)
    sign_in(api, stack_config.secrets["ADMIN_PASSWORD"])
    client = create_client(api, sandbox)
    for provider, address in (("google", GMAIL), ("microsoft", OUTLOOK)):
        step(f"Connect {address} ({provider}) through the real OAuth redirects")
        result = browser_connect(api, client["id"], provider, address, ca_path)
        if not result.get("ok"):
            raise DemoFailed(f"connecting {address} failed: {result}")
        print(f"  ✓ mailbox {result['mailbox_id']} connected")
    show_status(api, client["id"])
    time.sleep(2)  # ingest sets up the Gmail watch and the Graph subscription
    started = time.monotonic()
    deliver_intake(sandbox, api, client["slug"])
    leads = show_leads(api, client["id"], started)
    drafts = show_drafts(api, client["id"])
    approve_by_slack_click(sandbox, stack_config, client["slack_hook_id"], drafts)
    in_thread = show_replies(sandbox)
    step("Not leads, each with its reason (ingest's decisions)")
    skipped = wait_for(
        "2 not-lead decisions",
        lambda: (lambda rows: rows if len(rows) >= 2 else None)(
            asyncio.run(not_leads(stack_config))
        ),
    )
    for outcome, reason in skipped:
        print(f"  · {outcome:<14} {reason}")
    lead_replies(sandbox, api, client["id"])
    slack = show_slack(sandbox, client["slack_hook_id"])
    return {
        "demo": "ok",
        "leads": len(leads),
        "replies_in_thread": in_thread,
        "slack_messages": slack,
        "not_leads": len(skipped),
        "seconds": round(time.monotonic() - started, 1),
    }


def stop_on_sigterm() -> None:
    """SIGTERM (docker stop, systemd, kill) stops the demo like Ctrl-C does: the
    `finally` that stops the child processes runs instead of the process just dying."""

    def interrupt(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


def main() -> None:
    stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", action="store_true", help="leave the stack running afterwards")
    args = parser.parse_args()
    config = StackConfig()
    asyncio.run(reset_database(config))  # each demo run starts from an empty database
    stack = Stack(config)
    code = 1
    try:
        step("Start the stack: sandbox providers, 5 services, gateway")
        stack.start()
        print(f"  gateway {config.public_url}   sandbox {config.sandbox_url}   logs .run/logs/")
        summary = run_demo(config)
        code = 0
        if args.keep:
            print(f"\nConsole: {config.public_url}/  (admin / {config.secrets['ADMIN_PASSWORD']})")
            print("Stack left running; Ctrl-C to stop.")
            while True:
                time.sleep(1)
        print(json.dumps(summary))
    except DemoFailed as exc:
        print(f"\n✗ demo failed: {exc} (logs in .run/logs/)")
        print(json.dumps({"demo": "failed", "reason": str(exc)}))
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
    sys.exit(code)


if __name__ == "__main__":
    main()
