"""structlog JSON logging shared by every service, with secret scrubbing.

`configure_logging("ingest")` once at start. Both structlog loggers and stdlib loggers
(uvicorn, FastStream, aio-pika, httpx) end in the same handler and go through the same
processors, so every line is JSON with `service`, ISO UTC `timestamp`, the bound
event context (`bind_event_context`) and no secrets.

FastStream gives its access logger its own stdout handler with propagation off; pass
`broker_logger()` as the broker's `logger=` so its lines come through here instead.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from leadwire.redaction import REDACTED, redact_mapping, redact_text, redact_url

__all__ = [
    "REDACTED",
    "bind_event_context",
    "broker_logger",
    "configure_logging",
    "get_logger",
    "redact_text",
    "redact_url",
    "scrub_secrets",
]

# Libraries that install their own handlers; we route them to the root handler instead.
_ROUTED_LOGGERS = (
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "fastapi",
    "faststream",
    "faststream.access",
    "aio_pika",
    "aiormq",
    "httpx",
    "httpcore",
    "asyncpg",
)
# FastStream turns propagation off on its access logger and adds a plain stdout handler
# unless one writing to stdout is already there: give it ours first.
_OWN_HANDLER_LOGGERS = ("faststream.access.rabbit",)
# Chatty at INFO/DEBUG and may echo URLs: keep them at WARNING unless asked.
_QUIET_LOGGERS = ("httpcore", "aiormq", "aio_pika")


def scrub_secrets(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """structlog processor: redact secrets by key name and by value pattern, recursively.

    Runs after exceptions are rendered to text, so tracebacks and the event message
    are scrubbed too.
    """
    return redact_mapping(event_dict)


def _service_adder(service: str) -> Processor:
    def add_service(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service", service)
        return event_dict

    return add_service


def _shared_processors(service: str) -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _service_adder(service),
    ]


def _build_formatter(service: str, json: bool) -> structlog.stdlib.ProcessorFormatter:
    renderer: Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_shared_processors(service), structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            # Last before rendering: sees the final message and the traceback text.
            scrub_secrets,
            renderer,
        ],
    )


def configure_logging(
    service: str, level: str = "INFO", json: bool = True, *, stream: TextIO | None = None
) -> None:
    """Route structlog and stdlib logging through one scrubbing, JSON-rendering handler.

    Safe to call again (tests do): it replaces the root handlers it installed before.
    """
    numeric_level = logging.getLevelName(level.upper())
    if not isinstance(numeric_level, int):
        raise ValueError(f"unknown log level {level!r}")
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(_build_formatter(service, json))

    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(numeric_level)
    for name in _ROUTED_LOGGERS:
        routed = logging.getLogger(name)
        routed.handlers = []
        routed.propagate = True
        routed.setLevel(logging.NOTSET)
    for name in _OWN_HANDLER_LOGGERS:
        own = logging.getLogger(name)
        own.handlers = [handler]
        own.propagate = False
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(numeric_level, logging.WARNING))

    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(service),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


def get_logger(name: str | None = None, **initial: Any) -> Any:
    """A structlog logger (`log.info("lead.stored", lead_id=...)`)."""
    return structlog.stdlib.get_logger(name, **initial)


def broker_logger() -> logging.Logger:
    """A propagating stdlib logger to hand to FastStream's `RabbitBroker(logger=...)`."""
    logger = logging.getLogger("faststream.leadwire")
    logger.propagate = True
    return logger


@contextmanager
def bind_event_context(**context: Any) -> Iterator[None]:
    """Bind e.g. event_id, correlation_id, client_id to every log line inside the block.

    None values are skipped; UUIDs are stored as strings. Uses contextvars, so it is
    safe across concurrent asyncio tasks.
    """
    values: MutableMapping[str, Any] = {
        key: str(value) if not isinstance(value, str | int | float | bool) else value
        for key, value in context.items()
        if value is not None
    }
    with structlog.contextvars.bound_contextvars(**values):
        yield
