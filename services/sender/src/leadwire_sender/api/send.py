"""POST /admin/mailboxes/{id}/send: a manual send (202 with the outbound id)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, HTTPException, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from leadwire_sender.api.deps import AdminDep, ContextDep, ImmediateDep, not_found
from leadwire_sender.domain.mime import FileAttachment, is_valid_address
from leadwire_sender.domain.outbound import Recipient
from leadwire_sender.manual import ManualSend, ManualSendProblem, queue_manual_send
from leadwire_sender.store import NotFoundError

router = APIRouter(prefix="/admin/mailboxes", tags=["send"])


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")
    address: str = Field(max_length=320)
    name: str = Field(default="", max_length=200)

    @field_validator("address")
    @classmethod
    def _valid(cls, value: str) -> str:
        if not is_valid_address(value.strip()):
            raise ValueError(f"{value!r} is not an email address")
        return value.strip()


class AttachmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(default="application/octet-stream", pattern=r"^[\w.+-]+/[\w.+-]+$")
    content_base64: str


class SendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: list[Person] = Field(default_factory=list, max_length=100)
    cc: list[Person] = Field(default_factory=list, max_length=100)
    bcc: list[Person] = Field(default_factory=list, max_length=100)
    subject: str | None = Field(default=None, max_length=998)
    text: str | None = None
    html: str | None = None
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=50)
    template_id: UUID | None = None
    variables: dict[str, Any] = Field(default_factory=dict)
    reply_to_message_id: str | None = Field(default=None, min_length=1, max_length=500)
    send_at: AwareDatetime | None = None


class SendAccepted(BaseModel):
    outbound_id: UUID
    status: str
    created: bool


@router.post("/{mailbox_id}/send", status_code=status.HTTP_202_ACCEPTED)
async def send_email(
    mailbox_id: UUID,
    body: SendRequest,
    ctx: ContextDep,
    admin: AdminDep,
    immediate: ImmediateDep,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> SendAccepted:
    if not (body.to or body.cc or body.bcc):
        raise HTTPException(422, detail="give at least one recipient in to, cc or bcc")
    request = ManualSend(
        mailbox_id=mailbox_id,
        to=_people(body.to),
        cc=_people(body.cc),
        bcc=_people(body.bcc),
        subject=body.subject,
        text=body.text,
        html=body.html,
        attachments=_attachments(body.attachments, ctx.max_attachments_bytes),
        template_id=body.template_id,
        variables=body.variables,
        reply_to_message_id=body.reply_to_message_id,
        send_at=body.send_at,
        created_by=admin.subject,
    )
    idempotency = (idempotency_key, _fingerprint(body)) if idempotency_key else None
    try:
        outbound_id, created = await queue_manual_send(ctx, request, idempotency)
    except NotFoundError as exc:
        raise not_found(exc) from None
    except ManualSendProblem as exc:
        detail: Any = (
            {"message": str(exc), "missing": list(exc.missing)} if exc.missing else str(exc)
        )
        raise HTTPException(exc.status, detail=detail) from None
    if created:
        immediate.kick(outbound_id)
    return SendAccepted(outbound_id=outbound_id, status="queued", created=created)


def _people(people: list[Person]) -> tuple[Recipient, ...]:
    return tuple(Recipient(p.address, p.name) for p in people)


def _attachments(items: list[AttachmentIn], limit: int) -> tuple[FileAttachment, ...]:
    files, total = [], 0
    for position, item in enumerate(items):
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise HTTPException(
                422, detail=f"attachments[{position}] is not valid base64"
            ) from None
        total += len(content)
        if total > limit:
            raise HTTPException(413, detail=f"attachments exceed {limit} bytes in total")
        files.append(FileAttachment(item.filename, item.content_type, content))
    return tuple(files)


def _fingerprint(body: SendRequest) -> str:
    """Same key + same request body = the same send; the hash tells a reuse apart."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
