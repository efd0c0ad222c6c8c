import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from leadwire.events import (
    EVENT_TYPES,
    ClientChanged,
    Envelope,
    InvalidEventError,
    LeadReceived,
    MailboxConnected,
    ReplyTarget,
    UnknownEventError,
    event_json_schemas,
    new_event,
    parse_event,
    payload_class,
    registered_payloads,
)

from .event_samples import CLIENT, LEAD_RECEIVED, SAMPLES, WHEN


def test_every_event_in_the_design_is_registered():
    assert set(EVENT_TYPES) == {
        "client.changed",
        "mailbox.connected",
        "mailbox.disconnected",
        "mailbox.revoked",
        "lead.received",
        "email.received",
        "lead.replied",
        "lead.flagged",
        "draft.created",
        "draft.approved",
        "draft.rejected",
        "email.sent",
        "email.send_failed",
        "email.sent_by_person",
        "email.bounced",
        "draft.decided",
        "mailbox.sync_requested",
        "mailbox.sync_failed",
        "mailbox.sync_recovered",
    }
    assert set(SAMPLES) == set(EVENT_TYPES)


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_every_event_type_round_trips_through_json(event_type):
    payload = SAMPLES[event_type]
    envelope = new_event(payload, client_id=CLIENT)
    typed = parse_event(envelope.to_json_bytes())
    assert typed.payload == payload
    assert type(typed.payload) is EVENT_TYPES[event_type]
    assert typed.envelope == envelope
    assert typed.event_type == event_type and envelope.version == 1


def test_publish_rejects_an_unknown_payload_field():
    data = LEAD_RECEIVED.model_dump()
    with pytest.raises(ValidationError, match="extra_thing"):
        LeadReceived(**data, extra_thing=1)


def test_publish_rejects_an_unknown_envelope_field():
    envelope = new_event(LEAD_RECEIVED, client_id=CLIENT).to_jsonable()
    with pytest.raises(ValidationError):
        Envelope.model_validate({**envelope, "priority": "high"})


def test_consume_tolerates_unknown_fields_at_every_level():
    body = new_event(SAMPLES["client.changed"], client_id=CLIENT).to_jsonable()
    body["trace"] = "x"
    body["payload"]["new_optional_field"] = 1
    body["payload"]["business_hours"]["holidays"] = ["2030-12-25"]
    typed = parse_event(json.dumps(body).encode())
    assert typed.payload == SAMPLES["client.changed"]


def test_consume_tolerates_unknown_fields_inside_nested_reply_target():
    body = new_event(SAMPLES["draft.created"], client_id=CLIENT).to_jsonable()
    body["payload"]["reply_to"]["bcc_future"] = ["x@y.test"]
    assert parse_event(body).payload == SAMPLES["draft.created"]


def test_consume_still_rejects_a_bad_known_field():
    body = new_event(LEAD_RECEIVED, client_id=CLIENT).to_jsonable()
    body["payload"]["received_at"] = "yesterday"
    with pytest.raises(InvalidEventError, match="received_at"):
        parse_event(body)


def test_unknown_event_type_is_refused():
    body = new_event(LEAD_RECEIVED, client_id=CLIENT).to_jsonable()
    body["type"] = "lead.teleported"
    with pytest.raises(UnknownEventError, match="no such event type"):
        parse_event(body)


def test_unknown_event_version_is_refused():
    body = new_event(LEAD_RECEIVED, client_id=CLIENT).to_jsonable()
    body["version"] = 9
    with pytest.raises(UnknownEventError, match=r"known versions: \[1\]"):
        parse_event(body)
    with pytest.raises(UnknownEventError):
        payload_class("lead.received", 2)


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b'{"type": "lead.received"}'])
def test_garbage_bodies_are_invalid_events(raw):
    with pytest.raises(InvalidEventError):
        parse_event(raw)


def test_correlation_and_causation_follow_the_causing_event():
    first = new_event(LEAD_RECEIVED, client_id=CLIENT)
    second = new_event(SAMPLES["draft.created"], client_id=CLIENT, causation=first)
    assert second.correlation_id == first.correlation_id
    assert second.causation_id == first.event_id
    assert second.event_id != first.event_id
    assert new_event(LEAD_RECEIVED, client_id=CLIENT).correlation_id != first.correlation_id


def test_explicit_correlation_id_wins():
    correlation = uuid.uuid4()
    assert (
        new_event(LEAD_RECEIVED, client_id=CLIENT, correlation_id=correlation).correlation_id
        == correlation
    )


def test_envelope_client_must_match_the_payload_client():
    with pytest.raises(ValueError, match="client_id"):
        new_event(SAMPLES["mailbox.connected"], client_id=uuid.uuid4())


def test_naive_datetimes_are_refused_and_others_become_utc():
    data = LEAD_RECEIVED.model_dump()
    with pytest.raises(ValidationError, match="timezone"):
        LeadReceived(**{**data, "received_at": datetime(2030, 1, 1)})
    local = WHEN.astimezone(timezone(timedelta(hours=2)))
    lead = LeadReceived(**{**data, "received_at": local})
    assert lead.received_at.utcoffset() == timedelta(0) and lead.received_at == WHEN
    assert new_event(lead, client_id=CLIENT).occurred_at.utcoffset() == timedelta(0)


def test_email_leads_must_name_their_mailbox():
    data = LEAD_RECEIVED.model_dump()
    with pytest.raises(ValidationError, match="mailbox_id"):
        LeadReceived(**{**data, "mailbox_id": None})
    form = LeadReceived(
        **{
            **data,
            "source": "form",
            "mailbox_id": None,
            "provider": None,
            "provider_message_id": None,
            "form_fields": {"company": "X"},
        }
    )
    assert form.form_fields == {"company": "X"}


def test_payloads_are_frozen():
    with pytest.raises(ValidationError):
        LEAD_RECEIVED.subject = "changed"  # type: ignore[misc]


def test_client_changed_carries_no_secret_fields():
    fields = set(ClientChanged.model_fields)
    assert not {f for f in fields if "secret" in f or "token" in f or f.endswith("_url")}


def test_expect_narrows_or_refuses():
    typed = parse_event(new_event(LEAD_RECEIVED, client_id=CLIENT).to_json_bytes())
    assert typed.expect(LeadReceived).payload.subject == "Pricing?"
    with pytest.raises(UnknownEventError, match=r"expected 'mailbox\.connected'"):
        typed.expect(MailboxConnected)


def test_reply_target_references_end_with_the_answered_message():
    assert SAMPLES["draft.created"].reply_to.reply_references() == [
        "<z@prospect.test>",
        "<a@prospect.test>",
    ]


def test_every_event_has_a_json_schema_that_forbids_unknown_fields():
    schemas = event_json_schemas()
    assert set(schemas) == {f"{c.event_type}@v{c.event_version}" for c in registered_payloads()}
    for key, schema in schemas.items():
        event_type = key.split("@")[0]
        assert schema["properties"]["type"]["const"] == event_type
        payload_ref = schema["properties"]["payload"]["$ref"].rsplit("/", 1)[1]
        payload_schema = schema["$defs"][payload_ref]
        assert payload_schema["additionalProperties"] is False
        sample = SAMPLES[event_type].model_dump(mode="json")
        assert set(payload_schema.get("required", [])) <= set(sample)
        assert set(sample) == set(payload_schema["properties"])


def test_reply_target_answers_reply_to_and_copies_the_cc():
    lead = LEAD_RECEIVED.model_copy(
        update={
            "reply_to": ["desk@prospect.test"],
            "cc": ["Bob@prospect.test", "desk@prospect.test"],
        }
    )
    target = ReplyTarget.from_lead(lead)
    assert target.to_address == "desk@prospect.test"
    assert target.to_name == ""
    assert target.cc == ["Bob@prospect.test"]


def test_new_optional_fields_keep_old_messages_valid():
    old = {
        k: v
        for k, v in LEAD_RECEIVED.model_dump(mode="json").items()
        if k
        in {
            "lead_id",
            "contact_id",
            "source",
            "mailbox_id",
            "provider",
            "from_address",
            "provider_message_id",
            "received_at",
        }
    }
    envelope = new_event(LeadReceived.model_validate(old), client_id=CLIENT)
    parsed = parse_event(envelope.to_json_bytes()).expect(LeadReceived).payload
    assert parsed.signals.spf is None and parsed.attachments == [] and parsed.cc == []
