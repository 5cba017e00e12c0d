"""Structured JSON logs (request id, event id, masked personal data) and Prometheus metrics."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from typing import Any

import structlog
from prometheus_client import Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
event_id_var: ContextVar[str | None] = ContextVar("event_id", default=None)

# Keys whose values are personal data; masked wherever they appear in a log record.
_NAME_KEYS = {"guest_name", "guest_names", "booker_name", "contact_name", "name_on_card"}
_PHONE_KEYS = {"phone", "guest_phone", "booker_phone", "caller", "mobile"}
_CARD_KEYS = {"card_number", "pan"}
# A phone or card number inside free text: 7+ digits, or groups like 138-0013-8000 /
# +86 138 0013 8000. Dates (2026-11-23) and times do not match: their groups are too short.
_PHONE_RE = re.compile(r"(?<![\w+/-])(\+?\d{1,4}(?:[ -]\d{3,4}){2,3}|\+?\d{7,})(?![\w])")
# Fields the system writes itself; never personal data, never masked.
_SYSTEM_KEYS = {"timestamp", "request_id", "event_id", "level", "logger", "ms", "status", "method"}


def mask_phone(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return f"***{digits[-4:]}" if len(digits) >= 4 else "***"


def mask_name(text: str) -> str:
    return (text[:1] + "**") if text else text


def _mask_value(key: str, value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _mask_value(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_value(key, v) for v in value]
    if not isinstance(value, str):
        return value
    if key in _NAME_KEYS:
        return mask_name(value)
    if key in _PHONE_KEYS or key in _CARD_KEYS:
        return mask_phone(value)
    # Free text (messages, remarks) may carry a phone or card number; keep only the tail.
    return _PHONE_RE.sub(lambda m: mask_phone(m.group(1)), value)


def mask_personal_data(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if key not in _SYSTEM_KEYS:
            event_dict[key] = _mask_value(key, event_dict[key])
    return event_dict


def _add_context_ids(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    if (rid := request_id_var.get()) and "request_id" not in event_dict:
        event_dict["request_id"] = rid
    if (eid := event_id_var.get()) and "event_id" not in event_dict:
        event_dict["event_id"] = eid
    return event_dict


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(format="%(message)s", stream=sys.stdout, level=level.upper())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            _add_context_ids,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            mask_personal_data,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stdout),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)


HTTP_REQUESTS = Counter(
    "roomline_http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "roomline_http_request_seconds", "HTTP request latency", ["service", "method", "route"]
)
EVENTS_RELAYED = Counter(
    "roomline_events_relayed_total", "Outbox rows relayed", ["source", "queue"]
)
OUTBOX_LAG = Gauge("roomline_outbox_lag_seconds", "Age of the oldest unsent outbox row", ["source"])
OUTBOX_PENDING = Gauge("roomline_outbox_pending", "Unsent outbox rows", ["source"])
HANDLER_RESULTS = Counter(
    "roomline_event_handler_total", "Event handler outcomes", ["service", "event", "outcome"]
)
DEAD_LETTERED = Counter(
    "roomline_events_dead_lettered_total",
    "Events a service's handlers gave up on after their last try",
    ["service", "event"],
)
QUEUE_DEPTH = Gauge("roomline_queue_depth", "Jobs waiting in an arq queue", ["queue"])
BOOKINGS_CREATED = Counter(
    "roomline_bookings_created_total", "Bookings committed", ["payment_mode"]
)


class RequestContextMiddleware:
    """Gives every request an id (or keeps the caller's X-Request-ID), logs it, counts it."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service
        self.log = get_logger("http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if request_id_var.get() is not None:
            # A service mounted in the all-in-one app: the outer middleware owns the id and
            # the header; this one records the request under its own service name.
            started = time.perf_counter()
            status_holder = {"status": 500}

            async def send_seen(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status_holder["status"] = message["status"]
                await send(message)

            try:
                await self.app(scope, receive, send_seen)
            finally:
                scope["roomline.recorded"] = True
                self._record(scope, status_holder["status"], time.perf_counter() - started)
            return
        await self._outermost(scope, receive, send)

    async def _outermost(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        request_id = headers.get(b"x-request-id", b"").decode()[:64] or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if not scope.get("roomline.recorded"):
                self._record(scope, status_holder["status"], time.perf_counter() - started)
            request_id_var.reset(token)

    def _record(self, scope: Scope, status: int, elapsed: float) -> None:
        route = scope.get("route")
        path_template = getattr(route, "path", None) or "unmatched"
        method = scope.get("method", "GET")
        HTTP_REQUESTS.labels(self.service, method, path_template, str(status)).inc()
        HTTP_LATENCY.labels(self.service, method, path_template).observe(elapsed)
        if path_template not in ("/metrics", "/healthz", "/readyz"):
            self.log.info(
                "request",
                method=method,
                path=scope.get("path"),
                status=status,
                ms=round(elapsed * 1000, 1),
            )


AsyncFn = Callable[..., Awaitable[Any]]


# Read from each service's own schema when its /metrics is scraped (shared.events.operations),
# so they hold even when no relay or worker process is running.
EVENTS_DEAD_LETTERS = Gauge(
    "roomline_events_dead_letters",
    "Dead letters of a consuming service not yet resolved (states dead, redrive, redriven)",
    ["service"],
)
OUTBOX_OLDEST_UNRELAYED = Gauge(
    "roomline_outbox_oldest_unrelayed_seconds",
    "Age of a service's oldest unrelayed outbox row (0 when none)",
    ["service"],
)
