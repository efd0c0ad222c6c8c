"""The decision state machine, the template draft and composing a draft."""

from __future__ import annotations

from leadwire_drafter.domain.answer import Answer
from leadwire_drafter.domain.compose import ComposeInput, compose
from leadwire_drafter.domain.decisions import Conflict, initial_status, transition
from leadwire_drafter.domain.guard import judge
from leadwire_drafter.domain.template import template_draft, to_html
from leadwire_drafter.testing import MAILBOX_ID, NOW, sample_client, sample_lead

GOOD_BODY = (
    "Hello Jane,\n\nthank you for your message about your new bakery website. We would be "
    "glad to help and will follow up with the details shortly.\n\nBest regards\nAnna Weber"
)


def test_approve_and_reject_only_from_awaiting_approval() -> None:
    assert transition("awaiting_approval", "approve") == "approved"
    assert transition("awaiting_approval", "reject") == "rejected"
    twice = transition("approved", "approve")
    assert isinstance(twice, Conflict)
    assert "already approved" in twice.reason
    assert isinstance(transition("rejected", "approve"), Conflict)
    assert isinstance(transition("auto", "approve"), Conflict)
    assert transition("auto", "sent") == "sent"
    assert initial_status(True) == "auto"
    assert initial_status(False) == "awaiting_approval"


def test_template_is_deterministic_and_uses_the_profile() -> None:
    text = template_draft(sample_client(), name="Jane", subject="Website", language="de")
    assert text == template_draft(sample_client(), name="Jane", subject="Website", language="de")
    assert text.startswith("Hallo Jane,")
    assert "https://cal.acme.test/intro" in text
    assert text.endswith("Anna Weber\nAcme Web Studio\nhttps://acme.test")


def test_html_escapes_and_links() -> None:
    html = to_html("a <b> & c\n\nsee https://acme.test/x")
    assert (
        html
        == '<p>a &lt;b&gt; &amp; c</p>\n<p>see <a href="https://acme.test/x">https://acme.test/x</a></p>'
    )


def _given(**kw: object) -> ComposeInput:
    lead = kw.pop("lead", sample_lead())
    args: dict[str, object] = {
        "lead": lead,
        "client": sample_client(),
        "guard": judge(lead),  # type: ignore[arg-type]
        "language": "en",
        "now": NOW,
    }
    args.update(kw)
    return ComposeInput(**args)  # type: ignore[arg-type]


def test_a_clean_llm_draft_is_auto_sent_under_guarded() -> None:
    answer = Answer("Re: whatever", GOOD_BODY, 80, ("fits the offer",))
    draft = compose(_given(answer=answer))
    assert draft.auto_send, draft.reasons
    assert draft.subject == "Re: New website for our bakery"
    assert draft.qualification.source == "llm"
    assert draft.mailbox_id == MAILBOX_ID
    assert not draft.is_template


def test_without_an_answer_the_template_and_rules_are_used() -> None:
    draft = compose(_given(fallback_reason="no OPENAI_API_KEY"))
    assert draft.is_template
    assert draft.qualification.source == "rules"
    assert "template draft: no OPENAI_API_KEY" in draft.reasons
    assert draft.body_text.startswith("Hello Jane Miller,")


def test_a_form_lead_is_drafted_for_the_primary_mailbox_with_a_fresh_subject() -> None:
    form = sample_lead(
        source="form",
        mailbox_id=None,
        provider=None,
        provider_message_id=None,
        subject="",
        body_text="",
        form_fields={"name": "Sam", "message": "We need an online shop for our tea store."},
    )
    draft = compose(_given(lead=form))
    assert draft.mailbox_id == MAILBOX_ID
    assert draft.subject == "Your enquiry to Acme Web Studio"


def test_regenerated_drafts_await_a_person() -> None:
    answer = Answer("", GOOD_BODY, 90, ("fits",))
    draft = compose(_given(answer=answer, review_reason="regenerated on request"))
    assert not draft.auto_send
    assert "regenerated on request" in draft.reasons
