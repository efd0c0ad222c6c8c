"""/admin/templates: per-client templates (Jinja2, sandboxed) and their preview."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel, ConfigDict, Field

from leadwire_sender.api.deps import AdminDep, ContextDep, not_found
from leadwire_sender.domain.templates import (
    TemplateProblem,
    TemplateSource,
    render,
    required_variables,
)
from leadwire_sender.store import NotFoundError
from leadwire_sender.store import content as content_store

router = APIRouter(prefix="/admin/templates", tags=["templates"])


class TemplateFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    subject: str | None = Field(default=None, min_length=1, max_length=998)
    body_text: str | None = Field(default=None, min_length=1, max_length=100_000)
    body_html: str | None = Field(default=None, max_length=500_000)


class TemplateCreate(TemplateFields):
    client_id: UUID
    name: str = Field(min_length=1, max_length=200)
    subject: str = Field(min_length=1, max_length=998)
    body_text: str = Field(min_length=1, max_length=100_000)


class TemplateOut(BaseModel):
    id: UUID
    client_id: UUID
    name: str
    subject: str
    body_text: str
    body_html: str
    variables: list[str]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: content_store.TemplateRow) -> TemplateOut:
        names = required_variables(TemplateSource(row.subject, row.body_text, row.body_html))
        return cls(**row.__dict__, variables=sorted(names))


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    variables: dict[str, Any] = Field(default_factory=dict)


class PreviewOut(BaseModel):
    subject: str
    text: str
    html: str


def _checked(row: content_store.TemplateRow) -> content_store.TemplateRow:
    """Refuse a template that does not parse, naming the line."""
    try:
        required_variables(TemplateSource(row.subject, row.body_text, row.body_html))
    except TemplateProblem as exc:
        raise HTTPException(422, detail=str(exc)) from None
    return row


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_template(body: TemplateCreate, ctx: ContextDep, _admin: AdminDep) -> TemplateOut:
    now = ctx.clock()
    row = _checked(
        content_store.TemplateRow(
            uuid4(), body.client_id, body.name, body.subject, body.body_text,
            body.body_html or "", now, now,
        )
    )  # fmt: skip
    try:
        await content_store.insert_template(ctx.pool, row)
    except content_store.DuplicateNameError as exc:
        raise HTTPException(409, detail=str(exc)) from None
    return TemplateOut.of(await content_store.get_template(ctx.pool, row.id))


@router.get("")
async def list_templates(
    ctx: ContextDep, _admin: AdminDep, client_id: UUID | None = None
) -> list[TemplateOut]:
    return [TemplateOut.of(r) for r in await content_store.list_templates(ctx.pool, client_id)]


@router.get("/{template_id}")
async def get_template(template_id: UUID, ctx: ContextDep, _admin: AdminDep) -> TemplateOut:
    try:
        return TemplateOut.of(await content_store.get_template(ctx.pool, template_id))
    except NotFoundError as exc:
        raise not_found(exc) from None


@router.patch("/{template_id}")
async def update_template(
    template_id: UUID, body: TemplateFields, ctx: ContextDep, _admin: AdminDep
) -> TemplateOut:
    try:
        current = await content_store.get_template(ctx.pool, template_id)
        changes = body.model_dump(exclude_unset=True, exclude_none=True)
        row = _checked(content_store.TemplateRow(**{**current.__dict__, **changes}))
        await content_store.update_template(ctx.pool, row)
        return TemplateOut.of(await content_store.get_template(ctx.pool, template_id))
    except NotFoundError as exc:
        raise not_found(exc) from None
    except content_store.DuplicateNameError as exc:
        raise HTTPException(409, detail=str(exc)) from None


@router.delete("/{template_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_template(template_id: UUID, ctx: ContextDep, _admin: AdminDep) -> Response:
    try:
        await content_store.delete_template(ctx.pool, template_id)
    except NotFoundError as exc:
        raise not_found(exc) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{template_id}/preview")
async def preview_template(
    template_id: UUID, body: PreviewRequest, ctx: ContextDep, _admin: AdminDep
) -> PreviewOut:
    """Render with these variables; a missing one is a 422 naming every missing name."""
    try:
        row = await content_store.get_template(ctx.pool, template_id)
    except NotFoundError as exc:
        raise not_found(exc) from None
    try:
        out = render(TemplateSource(row.subject, row.body_text, row.body_html), body.variables)
    except TemplateProblem as exc:
        raise HTTPException(
            422, detail={"message": str(exc), "missing": list(exc.missing)}
        ) from None
    return PreviewOut(subject=out.subject, text=out.text, html=out.html)
