"""Opaque keyset cursors: (created_at, id) of the last row a page showed."""

from __future__ import annotations

import base64
from datetime import datetime
from uuid import UUID

from fastapi import HTTPException, status


def encode_cursor(after: tuple[datetime, UUID]) -> str:
    raw = f"{after[0].isoformat()}|{after[1]}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, _, ident = raw.partition("|")
        moment = datetime.fromisoformat(when)
        if moment.tzinfo is None:
            raise ValueError("naive")
        return moment, UUID(ident)
    except ValueError:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, "cursor is not valid: pass next_cursor from a page"
        ) from None
