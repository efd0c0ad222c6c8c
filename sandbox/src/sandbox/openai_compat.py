"""Fake OpenAI-compatible API: /v1/chat/completions and /v1/models.

Replies are deterministic (see sandbox.openai_replies); faults come from the
shared fault middleware, answered in OpenAI's error shape.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from fastapi import APIRouter, Body, HTTPException, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from sandbox.config import SandboxConfig
from sandbox.openai_replies import content_text, count_tokens, make_reply
from sandbox.openai_stream import stream_chunks, usage_of

MODELS = ["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "gpt-4.1", "o4-mini"]
_CREATED = 1_715_000_000


class OpenAIError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        type_: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.headers = status, headers or {}
        self.body = {"error": {"message": message, "type": type_, "param": param, "code": code}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, self.status, headers=self.headers)


def openai_error_body(status: int, message: str) -> dict[str, Any]:
    if status == 429:
        return OpenAIError(
            429, f"Rate limit reached (sandbox): {message}", "requests", "rate_limit_exceeded"
        ).body
    return OpenAIError(
        status,
        f"The server had an error while processing your request. Sorry about that! ({message})",
        "server_error",
    ).body


class OpenAIFake:
    name = "openai"

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.api_key: str | None = getattr(config, "openai_api_key", None)
        self.scripted: list[dict[str, str]] = []  # {"contains", "content"} overrides
        self.requests: list[dict[str, Any]] = []

    # FakeProvider --------------------------------------------------------------
    def routers(self) -> list[APIRouter]:
        router = APIRouter(prefix="/v1", tags=["openai"])

        @router.get("/models")
        async def models(request: Request) -> Response:
            try:
                self.check_key(request)
            except OpenAIError as err:
                return err.response()
            return JSONResponse({"object": "list", "data": [_model(m) for m in MODELS]})

        @router.get("/models/{model}")
        async def model(model: str, request: Request) -> Response:
            try:
                self.check_key(request)
                if model not in MODELS:
                    raise OpenAIError(
                        404,
                        f"The model '{model}' does not exist",
                        code="model_not_found",
                        param="model",
                    )
            except OpenAIError as err:
                return err.response()
            return JSONResponse(_model(model))

        @router.post("/chat/completions")
        async def chat(request: Request) -> Response:
            try:
                self.check_key(request)
                body = await _json(request)
                self.requests.append(body)
                return self.complete(body)
            except OpenAIError as err:
                return err.response()

        return [router]

    def control_router(self) -> APIRouter:
        router = APIRouter(tags=["control: openai"])

        @router.post("/settings")
        def settings(body: dict[str, Any] = Body(...)) -> dict[str, Any]:
            """{"api_key": "sk-..."} requires that bearer key; null accepts any."""
            if set(body) - {"api_key"}:
                raise HTTPException(400, "only 'api_key' can be set")
            self.api_key = body.get("api_key")
            return {"api_key_required": self.api_key is not None}

        @router.post("/replies", status_code=201)
        def script(body: dict[str, Any] = Body(...)) -> dict[str, Any]:
            """The next prompts containing `contains` get `content` as the reply."""
            if not body.get("contains") or not isinstance(body.get("content"), str):
                raise HTTPException(400, "'contains' and 'content' (string) are required")
            self.scripted.append({"contains": body["contains"], "content": body["content"]})
            return {"scripted": len(self.scripted)}

        @router.get("/requests")
        def seen() -> list[dict[str, Any]]:
            return list(self.requests)

        @router.post("/faults", status_code=201)
        def fault(request: Request, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
            """Shorthand for a shared fault rule on /v1/chat/completions."""
            try:
                rule = request.app.state.sandbox.faults.add(path="/v1/chat/completions", **body)
            except (TypeError, ValueError) as exc:
                raise HTTPException(400, str(exc)) from exc
            public: dict[str, Any] = rule.public()
            return public

        return router

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def reset(self) -> None:
        self.api_key = getattr(self.config, "openai_api_key", None)
        self.scripted.clear()
        self.requests.clear()

    def fault_error_body(self, path: str, status: int, message: str) -> tuple[str, bytes] | None:
        if not path.startswith(("/v1/chat/", "/v1/models", "/v1/completions", "/v1/embeddings")):
            return None
        return "application/json", json.dumps(openai_error_body(status, message)).encode()

    # behaviour -------------------------------------------------------------------
    def check_key(self, request: Request) -> None:
        if self.api_key is None:
            return
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not key:
            raise OpenAIError(
                401,
                "You didn't provide an API key. You need to provide your API "
                "key in an Authorization header using Bearer auth.",
            )
        if not secrets.compare_digest(key, self.api_key):
            shown = f"{key[:3]}*****{key[-4:]}" if len(key) > 8 else "*****"
            raise OpenAIError(401, f"Incorrect API key provided: {shown}.", code="invalid_api_key")

    def complete(self, body: dict[str, Any]) -> Response:
        model, messages = _validate(body)
        content = self.reply_content(model, messages, body.get("response_format") or {})
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        finish = "stop"
        if isinstance(limit, int) and count_tokens(content) > limit:
            content, finish = " ".join(content.split()[: max(limit // 2, 1)]), "length"
        usage = usage_of(messages, content)
        completion_id = f"chatcmpl-{secrets.token_urlsafe(18)}"
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            chunks = stream_chunks(
                completion_id, model, content, finish, usage if include_usage else None
            )
            return StreamingResponse(chunks, media_type="text/event-stream")
        n = int(body.get("n") or 1)
        message: dict[str, Any] = {
            "role": "assistant",
            "content": content,
            "refusal": None,
            "annotations": [],
        }
        return JSONResponse(
            {
                "id": completion_id,
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "system_fingerprint": "fp_sandbox",
                "service_tier": "default",
                "choices": [
                    {"index": i, "message": message, "logprobs": None, "finish_reason": finish}
                    for i in range(n)
                ],
                "usage": usage,
            },
            headers={"x-request-id": f"req_{secrets.token_hex(16)}"},
        )

    def reply_content(self, model: str, messages: list[dict[str, Any]], fmt: dict[str, Any]) -> str:
        prompt = "\n".join(content_text(m.get("content")) for m in messages)
        for rule in self.scripted:
            if rule["contains"] in prompt:
                return rule["content"]
        reply = make_reply(model, messages)
        kind = fmt.get("type", "text")
        if kind == "json_object":
            if "json" not in prompt.lower():
                raise OpenAIError(
                    400,
                    "'messages' must contain the word 'json' in some form, to "
                    "use 'response_format' of type 'json_object'.",
                    param="messages",
                )
            return json.dumps(reply.as_json_object())
        if kind == "json_schema":
            schema = (fmt.get("json_schema") or {}).get("schema") or {"type": "object"}
            return json.dumps(reply.fill_schema(schema))
        return reply.text


def _model(model: str) -> dict[str, Any]:
    return {"id": model, "object": "model", "created": _CREATED, "owned_by": "sandbox"}


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError as exc:
        raise OpenAIError(400, "We could not parse the JSON body of your request.") from exc
    if not isinstance(body, dict):
        raise OpenAIError(400, "The request body must be a JSON object.")
    return body


def _validate(body: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    model, messages = body.get("model"), body.get("messages")
    if not model or not isinstance(model, str):
        raise OpenAIError(400, "you must provide a model parameter", param="model")
    if not isinstance(messages, list) or not messages:
        raise OpenAIError(400, "[] is too short - 'messages'", param="messages")
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict) or msg.get("role") not in (
            "system",
            "developer",
            "user",
            "assistant",
            "tool",
            "function",
        ):
            raise OpenAIError(
                400, f"Invalid value for 'messages[{i}].role'.", param=f"messages[{i}].role"
            )
    return model, messages
