"""Turning due follow-ups into outbound messages in the lead's thread."""

from __future__ import annotations

import logging
from uuid import UUID

from leadwire_sender.context import SenderContext
from leadwire_sender.domain.drafts import follow_up_of
from leadwire_sender.domain.templates import TemplateProblem, TemplateSource, render
from leadwire_sender.store import Conn, NotFoundError
from leadwire_sender.store import content as content_store
from leadwire_sender.store import directory as directory_store
from leadwire_sender.store import follow_ups as follow_up_store
from leadwire_sender.store import outbound as outbound_store

log = logging.getLogger(__name__)


async def queue_due_follow_ups(ctx: SenderContext, limit: int = 200) -> int:
    """Queue an outbound for each due follow-up (rows locked: replicas never both do one)."""
    now = ctx.clock()
    queued = 0
    async with ctx.pool.acquire() as conn, conn.transaction():
        for due in await follow_up_store.lock_due(conn, now, limit):
            reason = await directory_store.lead_block_reason(conn, due.lead_id)
            if reason is not None:
                await follow_up_store.cancel(conn, due.lead_id, reason)
                continue
            previous = await outbound_store.get(conn, due.last_outbound_id)
            text, html = await _body(ctx, conn, due, previous.to[0].name if previous.to else "")
            out = follow_up_of(previous, step=due.step, text=text, html=html, now=now)
            await outbound_store.insert(conn, out)
            # `done` until this one is sent; sending it schedules the next step.
            await follow_up_store.finish(conn, due.lead_id, "done", f"step {due.step} queued")
            queued += 1
    return queued


async def _body(
    ctx: SenderContext, conn: Conn, due: follow_up_store.FollowUpRow, to_name: str
) -> tuple[str, str]:
    """The client's follow-up template when it has one that renders, else the default."""
    client = await directory_store.get_client(conn, due.client_id)
    template_id = client.follow_up.get("template_id") if client else None
    if not template_id:
        return ctx.follow_up_text, ""
    try:
        template = await content_store.get_template(conn, UUID(str(template_id)))
        rendered = render(
            TemplateSource(template.subject, template.body_text, template.body_html),
            {"name": to_name, "step": due.step + 1},
        )
    except (NotFoundError, TemplateProblem) as exc:
        log.warning("follow-up template %s unusable (%s): default text used", template_id, exc)
        return ctx.follow_up_text, ""
    return rendered.text, rendered.html
