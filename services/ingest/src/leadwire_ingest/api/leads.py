"""/admin/leads and /admin/contacts: the read model, and closing/reopening a lead."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict

from leadwire_ingest import lead_admin
from leadwire_ingest.api.deps import AdminDep, ContextDep
from leadwire_ingest.domain.models import Activity, Lead, LeadStatus, NotFound
from leadwire_ingest.store.leads import LeadFilter, list_leads

router = APIRouter(prefix="/admin", tags=["leads"])


class LeadPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["closed", "open"]


def _lead_json(lead: Lead) -> dict[str, Any]:
    return {
        "id": str(lead.lead_id),
        "client_id": str(lead.client_id),
        "contact": {
            "id": str(lead.contact_id),
            "email": lead.contact_email,
            "name": lead.contact_name,
        },
        "source": lead.source,
        "status": lead.status,
        "subject": lead.subject,
        "body_text": lead.body_text,
        "mailbox_id": str(lead.mailbox_id) if lead.mailbox_id else None,
        "provider": lead.provider,
        "provider_message_id": lead.provider_message_id,
        "provider_thread_id": lead.provider_thread_id,
        "rfc_message_id": lead.rfc_message_id,
        "received_at": lead.received_at.isoformat(),
        "created_at": lead.created_at.isoformat(),
        "updated_at": lead.updated_at.isoformat(),
    }


def _activity_json(a: Activity) -> dict[str, Any]:
    return {
        "kind": a.kind,
        "summary": a.summary,
        "at": a.occurred_at.isoformat(),
        "mailbox_id": str(a.mailbox_id) if a.mailbox_id else None,
        "detail": a.detail,
    }


def _encode_cursor(lead: Lead) -> str:
    return base64.urlsafe_b64encode(
        f"{lead.created_at.isoformat()}|{lead.lead_id}".encode()
    ).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        at, _, lead_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(at), UUID(lead_id)
    except ValueError:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "cursor is not one we issued") from None


@router.get("/leads")
async def get_leads(
    ctx: ContextDep,
    _admin: AdminDep,
    client_id: UUID | None = None,
    status_: Annotated[LeadStatus | None, Query(alias="status")] = None,
    mailbox_id: UUID | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    after = _decode_cursor(cursor) if cursor else None
    f = LeadFilter(client_id, status_, mailbox_id, q, after, limit)
    async with ctx.pool.acquire() as conn:
        rows = await list_leads(conn, f)
    next_cursor = _encode_cursor(rows[-1]) if len(rows) == limit else None
    return {"leads": [_lead_json(r) for r in rows], "next_cursor": next_cursor}


@router.get("/leads/{lead_id}")
async def get_lead(lead_id: UUID, ctx: ContextDep, _admin: AdminDep) -> dict[str, Any]:
    try:
        found = await lead_admin.lead_with_timeline(ctx, lead_id)
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return {**_lead_json(found.lead), "timeline": [_activity_json(a) for a in found.timeline]}


@router.patch("/leads/{lead_id}")
async def patch_lead(
    lead_id: UUID, body: LeadPatch, ctx: ContextDep, admin: AdminDep
) -> dict[str, Any]:
    try:
        lead = await lead_admin.set_closed(ctx, lead_id, body.status == "closed", admin.subject)
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return _lead_json(lead)


@router.get("/contacts/{contact_id}")
async def get_contact(contact_id: UUID, ctx: ContextDep, _admin: AdminDep) -> dict[str, Any]:
    try:
        contact, contact_leads = await lead_admin.contact_with_leads(ctx, contact_id)
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return {
        "id": str(contact.contact_id),
        "client_id": str(contact.client_id),
        "email": contact.email,
        "name": contact.name,
        "phone": contact.phone,
        "company": contact.company,
        "created_at": contact.created_at.isoformat(),
        "leads": [_lead_json(lead) for lead in contact_leads],
    }
