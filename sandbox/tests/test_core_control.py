"""The generic control API and the message builder shared by the mail fakes."""

from __future__ import annotations

import base64

from sandbox.__main__ import parse_args
from sandbox.mail import attachments, build_message, from_raw, html_body, text_body


def test_ca_endpoint_serves_the_bundle_clients_trust(sandbox):
    pem = sandbox.control.get("/_sandbox/ca").text
    assert pem.startswith("-----BEGIN CERTIFICATE-----")
    assert pem == sandbox.ca_path.read_text()


def test_mailbox_errors_are_clear(sandbox):
    resp = sandbox.control.post(
        "/_sandbox/mailboxes", json={"provider": "nope", "address": "a@b.c"}
    )
    assert resp.status_code == 400 and "no mail provider" in resp.text
    assert (
        sandbox.control.post("/_sandbox/mailboxes", json={"provider": "google"}).status_code == 400
    )
    resp = sandbox.control.post(
        "/_sandbox/mailboxes", json={"provider": "google", "address": "a@b.c", "colour": "red"}
    )
    assert resp.status_code == 400 and "colour" in resp.text
    resp = sandbox.control.post("/_sandbox/mailboxes/nobody@x.test/inbound", json={"from": "a@b.c"})
    assert resp.status_code == 404
    sandbox.create_mailbox("google", "owner@acme.test")
    resp = sandbox.control.post("/_sandbox/mailboxes/owner@acme.test/inbound", json={"text": "x"})
    assert resp.status_code == 400 and "'from'" in resp.text


def test_reset_forgets_mailboxes_and_faults(sandbox):
    sandbox.create_mailbox("google", "owner@acme.test")
    sandbox.add_fault(path="/gmail/", status=500)
    assert sandbox.control.get("/_sandbox/mailboxes").json() == [
        {"address": "owner@acme.test", "provider": "google"}
    ]
    sandbox.reset()
    assert sandbox.control.get("/_sandbox/mailboxes").json() == []
    assert sandbox.control.get("/_sandbox/faults").json() == []


def test_structured_message_with_non_ascii_html_and_attachment():
    pdf = base64.b64encode(b"%PDF").decode()
    msg = build_message(
        {
            "from": "a@x.test",
            "from_name": "Zoë",
            "to": ["b@y.test", "c@y.test"],
            "subject": "Grüße",
            "text": "héllo",
            "html": "<p>héllo</p>",
            "precedence": "bulk",
            "headers": {"X-Lead-Source": "form"},
            "attachments": [
                {"filename": "a.pdf", "content_type": "application/pdf", "content_base64": pdf}
            ],
        }
    )
    again = from_raw(msg.as_bytes())
    assert again["Subject"] == "Grüße" and again["Precedence"] == "bulk"
    assert again["X-Lead-Source"] == "form" and "Zoë" in str(again["From"])
    assert text_body(again).strip() == "héllo" and "<p>héllo</p>" in html_body(again)
    [att] = attachments(again)
    assert att["filename"] == "a.pdf" and att["content"] == b"%PDF"


def test_html_only_auto_reply_and_bounce():
    html_only = build_message({"from": "a@x.test", "to": "b@y.test", "html": "<b>hi</b>"})
    assert text_body(html_only) is None and html_body(html_only).strip() == "<b>hi</b>"
    auto = build_message({"from": "a@x.test", "to": "b@y.test", "auto_reply": True})
    assert auto["Auto-Submitted"] == "auto-replied"
    bounce = from_raw(
        build_message(
            {
                "from": "MAILER-DAEMON@y.test",
                "to": "b@y.test",
                "bounce": {"recipient": "gone@z.test"},
            }
        ).as_bytes()
    )
    assert bounce.get_content_type() == "multipart/report"
    assert bounce.get_param("report-type") == "delivery-status"
    assert "gone@z.test" in text_body(bounce)


def test_cli_flags_become_config():
    hostnames, config = parse_args(
        [
            "--port",
            "9999",
            "--push-endpoint",
            "http://127.0.0.1:1/push",
            "--token-lifetime",
            "5",
            "--hostname",
            "sandbox",
        ]
    )
    assert hostnames == ("sandbox",)
    assert config.base_url == "https://127.0.0.1:9999"
    assert config.effective_push_audience == "http://127.0.0.1:1/push"
    assert config.access_token_lifetime == 5
