"""422 answers that name the field and the problem, without echoing the input.

FastAPI's default handler sends each error's `input` back: a password next to a bad
username, and text that cannot even be encoded (a lone surrogate), which turned a
422 into a 500. Only `loc`, `msg` and `type` go back.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


def _encodable(value: object) -> str | int:
    """An unknown field's name may itself be unencodable text; never crash on it."""
    if isinstance(value, int):
        return value
    return str(value).encode("utf-8", "replace").decode("utf-8")


async def validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail = [
        {
            "loc": [_encodable(part) for part in error.get("loc", ())],
            "msg": _encodable(str(error.get("msg", "")).removeprefix("Value error, ")),
            "type": error.get("type", "value_error"),
        }
        for error in exc.errors()
    ]
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_ENTITY)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
