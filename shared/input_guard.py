"""The door's own check on every request's text (issue 14), behind the typed fields of
shared.limits: a control character (NUL and the like), an oversized string or an integer no
column holds, anywhere in the query string, a urlencoded form or a JSON body, is a 422 naming
the field before any handler runs, so nothing of it reaches PostgreSQL, an event or a document.

Typed fields give the precise limit for each field (a guest name 100 characters); this gives
the class of problem one answer everywhere, including hand-parsed forms and fields added
later without a type. Multipart uploads are left to their readers (shared.sheets checks every
cell), which know what a file may hold.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import error_page, wants_html
from shared.limits import CONTROL_CHARACTERS, INT64_MAX, control_character_message

# No field of ours takes more; the typed fields set tighter limits of their own.
QUERY_VALUE_MAX = 2_000
BODY_STRING_MAX = 20_000
CHECKED = "roomline.input_checked"
# Set by shared.web's BodyLimitMiddleware when it caps this request's body. The all-in-one
# app's cap leaves a mounted service's paths to that service's own cap, so its guard waits too.
BODY_CAPPED = "roomline.body_capped"
JSON_TYPES = ("application/json",)
FORM_TYPES = ("application/x-www-form-urlencoded",)

Problem = tuple[str, str]  # (field, message)


def _text_problem(field: str, value: str, max_length: int) -> Problem | None:
    found = CONTROL_CHARACTERS.search(value)
    if found:
        return field, control_character_message(found.group())
    if len(value) > max_length:
        return field, (
            f"过长：最多 {max_length} 个字符 / too long: at most {max_length} characters"
        )
    return None


def pairs_problem(pairs: list[tuple[str, str]], max_length: int) -> Problem | None:
    """The first bad name or value among a query string's or a form's pairs."""
    for name, value in pairs:
        field = name[:60] if not CONTROL_CHARACTERS.search(name) else "?"
        problem = _text_problem(field, name, 200) or _text_problem(field, value, max_length)
        if problem:
            return problem
    return None


def _walk_json(value: Any, path: str) -> Iterator[Problem]:
    if isinstance(value, str):
        problem = _text_problem(path or "body", value, BODY_STRING_MAX)
        if problem:
            yield problem
    elif isinstance(value, bool) or value is None or isinstance(value, float):
        return
    elif isinstance(value, int):
        if abs(value) > INT64_MAX:
            yield path or "body", "数值过大 / the number is too large"
    elif isinstance(value, dict):
        for key, item in value.items():
            key_problem = _text_problem(path or "body", key, 200)
            if key_problem:
                yield key_problem
            yield from _walk_json(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk_json(item, f"{path}.{index}" if path else str(index))


def json_problem(body: bytes) -> Problem | None:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None  # not JSON: the route's own parser answers it
    return next(_walk_json(document, ""), None)


def rejection(scope: Scope, problem: Problem) -> Response:
    field, message = problem
    if wants_html(Request(scope)):
        return error_page(422, "请更正后重试 / Please correct the form", f"{field}: {message}")
    body = {
        "error": "invalid_input",
        "detail": f"{field}: {message}",
        "fields": [{"field": field, "message": message}],
    }
    return JSONResponse(body, status_code=422)


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return value.decode("latin-1").split(";")[0].strip().lower()
    return ""


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks), messages


class InputGuardMiddleware:
    """Sits inside BodyLimitMiddleware and acts only where that capped the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get(CHECKED) or not scope.get(BODY_CAPPED):
            await self.app(scope, receive, send)
            return
        scope[CHECKED] = True  # a mounted service app shares this scope: check once
        query = scope.get("query_string", b"").decode("latin-1")
        if query:
            pairs = parse_qsl(query, keep_blank_values=True, encoding="utf-8", errors="replace")
            problem = pairs_problem(pairs, QUERY_VALUE_MAX)
            if problem:
                await rejection(scope, problem)(scope, receive, send)
                return
        content_type = _content_type(scope)
        if scope["method"] in ("GET", "HEAD") or content_type not in JSON_TYPES + FORM_TYPES:
            await self.app(scope, receive, send)
            return
        body, messages = await _read_body(receive)
        if content_type in JSON_TYPES:
            problem = json_problem(body)
        else:
            form = body.decode("utf-8", errors="replace")
            problem = pairs_problem(parse_qsl(form, keep_blank_values=True), BODY_STRING_MAX)
        if problem:
            await rejection(scope, problem)(scope, receive, send)
            return
        await self.app(scope, replay(messages, receive), send)


def replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive that hands back the messages already read, then reads on (the body cap in
    shared.web does the same after reading a chunked body)."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed
