"""Cross-mailbox delivery: mail one sandbox mailbox sends to another lands in its inbox.

Providers call `Sandbox.route_outbound(sender, recipients, raw)` after a send;
each recipient that is a sandbox mailbox (of any provider) receives the bytes as
an inbound message, threaded by that provider's own rules. Other recipients are
the outside world: nothing happens, as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# (sender address, recipient addresses, RFC 822 bytes) -> ids of the copies delivered
Outbound = Callable[[str, list[str], bytes], list[dict[str, object]]]

_BCC = re.compile(rb"^bcc:.*?(?=^\S|\Z)", re.IGNORECASE | re.MULTILINE | re.DOTALL)


def without_bcc(raw: bytes) -> bytes:
    """The copy recipients get: the Bcc header (and its folded lines) removed."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = raw.partition(b"\n\n")
    if b"bcc:" not in head.lower():
        return raw
    return _BCC.sub(b"", head + sep[: len(sep) // 2]) + sep[len(sep) // 2 :] + body
