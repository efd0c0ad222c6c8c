"""The sender process SIGKILLed after the provider accepted a send and before it committed
the result, then started again: exactly one email, and it is reported once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from leadwire.testing import MailboxConnector, TestStack, wait_until
from leadwire_sender.settings import SenderSettings
from sandbox.testing import RunningSandbox

from .service_helpers import FAST, auto_draft, lead_mail

# Two cold starts of a real process on a busy machine: allow more than the default 120 s.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
SEND_PATH = "/gmail/v1/users/me/messages/send"
SENDER = Path(sys.executable).parent / "leadwire-sender"


async def _start_process(env: dict[str, str], log: Path, port: int) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        str(SENDER), env=env, stdout=log.open("ab"), stderr=asyncio.subprocess.STDOUT
    )

    async def ready() -> bool:
        try:
            async with httpx.AsyncClient() as http:
                answer = await http.get(f"http://127.0.0.1:{port}/health/ready")
        except httpx.TransportError:
            return False
        return answer.status_code == 200

    try:
        await wait_until(ready, within=90, every=0.1)
    except BaseException:
        await _stop(process)
        raise
    return process


async def test_killed_after_the_provider_accepted_and_restarted_sends_once(
    stack: TestStack,
    sandbox: RunningSandbox,
    connected_mailbox: MailboxConnector,
    tmp_path: Path,
) -> None:
    values: dict[str, Any] = stack.settings_for(SenderSettings, **FAST, send_claim_seconds=10)
    env = {**os.environ, **{name.upper(): str(value) for name, value in values.items()}}
    log = tmp_path / "sender.log"
    process = await _start_process(env, log, values["http_port"])
    try:
        mailbox = await connected_mailbox("google", "sales@acme.test")
        tap = await stack.tap("email.sent")
        # The provider sends, then its answer never comes back before we kill the process.
        sandbox.add_fault(path=SEND_PATH, method="POST", applied=True, timeout_seconds=15, count=1)
        await stack.publish(
            auto_draft(mailbox, lead_mail(sandbox, mailbox)), client_id=mailbox.client_id
        )

        await wait_until(lambda: len(sandbox.sent(mailbox.address)) == 1, within=60, every=0.05)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        assert await _statuses(values) == ["sending"]

        process = await _start_process(env, log, values["http_port"])
        [event] = await tap.wait_for("email.sent", within=90, settle=1.0)
    finally:
        await _stop(process)

    assert len(sandbox.sent(mailbox.address)) == 1
    assert await _statuses(values) == ["sent"]
    assert event["payload"]["provider_message_id"] == sandbox.sent(mailbox.address)[0]["id"]


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), timeout=15)
    except TimeoutError:
        process.kill()
        await process.wait()


async def _statuses(values: dict[str, Any]) -> list[str]:
    conn = await asyncpg.connect(values["database_url"])
    try:
        schema = values["database_schema"]
        rows = await conn.fetch(f'SELECT status FROM "{schema}".outbound_messages')
    finally:
        await conn.close()
    return [row["status"] for row in rows]
