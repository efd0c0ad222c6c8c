"""Public `POST /lead/{client_slug}`: the lead form (JSON or a plain HTML form post).

CORS is per client (its allowed origins); the preflight is answered here. Bodies are
size-limited before parsing; invalid fields are a 422 naming each one.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Header, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from leadwire_ingest.api.deps import ContextDep
from leadwire_ingest.domain.form import UTM_FIELDS, FormPost
from leadwire_ingest.domain.models import ClientInfo, NotFound
from leadwire_ingest.domain.validation import allowed_redirect, is_valid_email, origin_of
from leadwire_ingest.forms import submit_form
from leadwire_ingest.store import clients

router = APIRouter(tags=["lead form"])
_ALLOWED_HEADERS = "Content-Type, Idempotency-Key"


class LeadFormIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    email: str = Field(max_length=254)
    name: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=50)
    company: str = Field(default="", max_length=200)
    message: str = Field(default="", max_length=10000)
    subject: str = Field(default="", max_length=300)
    # Invisible in the form: people leave it empty, bots fill it in.
    honeypot: str = Field(default="", max_length=1000)
    page_url: str | None = Field(default=None, max_length=2000)
    redirect_to: str | None = Field(default=None, max_length=2000)
    utm_source: str = Field(default="", max_length=200)
    utm_medium: str = Field(default="", max_length=200)
    utm_campaign: str = Field(default="", max_length=200)
    utm_term: str = Field(default="", max_length=200)
    utm_content: str = Field(default="", max_length=200)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not is_valid_email(value):
            raise ValueError("not a valid email address")
        return value.lower()


def _cors_headers(origin: str) -> dict[str, str]:
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


async def _client_for(ctx: ContextDep, slug: str) -> ClientInfo:
    try:
        async with ctx.pool.acquire() as conn:
            return await clients.get_by_slug(conn, slug)
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no lead form {slug!r}") from None


def _check_origin(client: ClientInfo, origin: str | None) -> None:
    """A browser post from a site the client did not allow is refused (nothing stored)."""
    if origin is None:
        return  # server-side posts and old browsers send no Origin
    allowed = {o.rstrip("/").lower() for o in client.allowed_origins}
    if origin.rstrip("/").lower() not in allowed:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "origin not allowed for this form")


@router.options("/lead/{client_slug}")
async def preflight(client_slug: str, ctx: ContextDep, request: Request) -> Response:
    client = await _client_for(ctx, client_slug)
    origin = request.headers.get("origin")
    _check_origin(client, origin)
    headers = {
        **(_cors_headers(origin) if origin else {}),
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": _ALLOWED_HEADERS,
        "Access-Control-Max-Age": "600",
    }
    return Response(status_code=204, headers=headers)


async def _read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"body over {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"body over {limit} bytes")
    return bytes(body)


def _parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    media = content_type.split(";")[0].strip().lower()
    if media == "application/json":
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "malformed JSON") from None
        if not isinstance(data, dict):
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "JSON body must be an object")
        return data
    if media == "application/x-www-form-urlencoded":
        try:
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "form body is not UTF-8") from None
    raise HTTPException(
        status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        "use application/json or application/x-www-form-urlencoded",
    )


def _validated(data: dict[str, Any]) -> LeadFormIn:
    try:
        return LeadFormIn.model_validate(data)
    except ValidationError as exc:
        fields = [
            {"field": ".".join(map(str, e["loc"])), "problem": e["msg"]} for e in exc.errors()
        ]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, fields) from None


@router.post("/lead/{client_slug}", status_code=202)
async def post_lead(
    client_slug: str,
    ctx: ContextDep,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    origin = request.headers.get("origin")
    body = await _read_limited(request, ctx.settings.form_max_body_bytes)
    client = await _client_for(ctx, client_slug)
    _check_origin(client, origin)
    form = _validated(_parse_body(request.headers.get("content-type", ""), body))
    post = FormPost(
        email=form.email,
        name=form.name,
        phone=form.phone,
        company=form.company,
        message=form.message,
        subject=form.subject,
        honeypot=form.honeypot,
        utm={k: getattr(form, k) for k in UTM_FIELDS if getattr(form, k)},
        origin=origin or (origin_of(form.page_url) if form.page_url else None),
        page_url=form.page_url or request.headers.get("referer"),
        user_agent=request.headers.get("user-agent"),
    )
    result = await submit_form(ctx, client, post, idempotency_key)
    cors = _cors_headers(origin) if origin else {}
    if form.redirect_to and allowed_redirect(form.redirect_to, client.allowed_origins):
        return RedirectResponse(form.redirect_to, status_code=303, headers=cors)
    content = {"lead_id": str(result.lead_id), "duplicate": result.duplicate}
    return JSONResponse(content, status_code=202, headers=cors)
