"""Use case: a person approves or rejects a draft (admin API or a Slack click), a draft
is sent, a person answers a lead by hand. All go through `domain.decisions`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from leadwire.consuming import Permanent
from leadwire.events import DraftDecided
from leadwire_drafter import store
from leadwire_drafter.context import Cause, emit
from leadwire_drafter.domain.decisions import Conflict, transition
from leadwire_drafter.domain.draft import Draft, draft_approved, draft_rejected
from leadwire_drafter.domain.policy import send_after
from leadwire_drafter.domain.template import to_html
from leadwire_drafter.store import Conn

log = logging.getLogger(__name__)


class DraftNotFound(LookupError):
    pass


class DecisionConflict(Exception):
    def __init__(self, conflict: Conflict) -> None:
        super().__init__(conflict.reason)
        self.conflict = conflict


@dataclass(frozen=True)
class Approval:
    by: str
    subject: str | None = None
    body_text: str | None = None


async def _locked(conn: Conn, draft_id: UUID) -> Draft:
    draft = await store.get_draft(conn, draft_id, for_update=True)
    if draft is None:
        raise DraftNotFound(f"draft {draft_id} not found")
    return draft


async def approve(
    conn: Conn, draft_id: UUID, approval: Approval, *, now: datetime, cause: Cause | None = None
) -> Draft:
    """Approve (with optional edits) and publish draft.approved, in the caller's transaction.
    Raises DraftNotFound or DecisionConflict (approved twice, rejected, superseded...)."""
    draft = await _locked(conn, draft_id)
    status = transition(draft.status, "approve")
    if isinstance(status, Conflict):
        raise DecisionConflict(status)
    subject = (approval.subject or "").strip() or draft.subject
    body = (approval.body_text or "").strip() or draft.body_text
    client = await store.get_client(conn, draft.client_id)
    # Business hours still apply after approval; the reply delay has passed already.
    due = send_after(now, client, with_delay=False) if client is not None else None
    if draft.send_after is not None and draft.send_after > now:
        due = max(due or draft.send_after, draft.send_after)
    approved = draft.with_status(
        status,
        subject=subject,
        body_text=body,
        body_html=to_html(body) if body != draft.body_text else draft.body_html,
        edited=draft.edited or subject != draft.subject or body != draft.body_text,
        decided_by=approval.by,
        decided_at=now,
        send_after=due,
    )
    await store.save_decision(conn, approved)
    await emit(conn, cause or Cause(client_id=draft.client_id), draft_approved(approved, due))
    log.info("draft %s approved by %s", draft.id, approval.by)
    return approved


async def reject(
    conn: Conn,
    draft_id: UUID,
    *,
    by: str,
    reason: str,
    now: datetime,
    cause: Cause | None = None,
) -> Draft:
    draft = await _locked(conn, draft_id)
    status = transition(draft.status, "reject")
    if isinstance(status, Conflict):
        raise DecisionConflict(status)
    rejected = draft.with_status(status, decided_by=by, decided_at=now, decision_reason=reason)
    await store.save_decision(conn, rejected)
    await emit(conn, cause or Cause(client_id=draft.client_id), draft_rejected(rejected))
    log.info("draft %s rejected by %s", draft.id, by)
    return rejected


async def decided_elsewhere(
    conn: Conn, decided: DraftDecided, *, now: datetime, cause: Cause
) -> None:
    """A Slack click (draft.decided): the same state machine as the admin API; a click on
    a draft already decided is logged and dropped, an unknown draft is parked."""
    try:
        if decided.decision == "approve":
            approval = Approval(decided.decided_by, decided.subject, decided.body_text)
            await approve(conn, decided.draft_id, approval, now=now, cause=cause)
        else:
            await reject(
                conn, decided.draft_id, by=decided.decided_by, reason=decided.reason,
                now=now, cause=cause,
            )  # fmt: skip
    except DraftNotFound:
        raise Permanent(f"draft.decided for unknown draft {decided.draft_id}") from None
    except DecisionConflict as exc:
        log.info(
            "draft.decided (%s by %s) for draft %s is a no-op: %s",
            decided.decision, decided.decided_by, decided.draft_id, exc.conflict.reason,
        )  # fmt: skip


async def mark_sent(conn: Conn, draft_id: UUID) -> None:
    """email.sent for a draft: approved/auto -> sent; anything else is logged and left."""
    draft = await store.get_draft(conn, draft_id, for_update=True)
    if draft is None:
        log.info("email.sent names draft %s, unknown here: ignored", draft_id)
        return
    status = transition(draft.status, "sent")
    if isinstance(status, Conflict):
        log.info("email.sent for draft %s: %s; no change", draft_id, status.reason)
        return
    await store.set_status(conn, draft_id, status)


async def answered_by_person(
    conn: Conn, lead_id: UUID, *, at: datetime, now: datetime, cause: Cause
) -> None:
    """A person answered the lead by hand: nothing automatic goes out for it afterwards;
    a draft still waiting for approval is rejected so nobody sends a second answer."""
    await store.mark_answered_by_person(conn, lead_id, cause.client_id, at)
    pending = await store.pending_draft_for_lead(conn, lead_id)
    if pending is not None:
        await reject(
            conn, pending.id, by="leadwire", reason="a person answered the lead by hand",
            now=now, cause=cause,
        )  # fmt: skip
