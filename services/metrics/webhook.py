"""Call events from telephony systems other than Asterisk's queue_log, posted as JSON (SL-1).

Each event carries the sender's own id; it is stored like a queue_log line under the file
``webhook:<source>`` with a 63-bit hash of that id as its offset, so a retried post stores
(and folds into the call figures) nothing twice. The sender authenticates with
``Authorization: Bearer <ROOMLINE_TELEPHONY_TOKEN>``; with no token configured the webhook is
off (503).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from services.metrics.ingest_store import store_events
from services.metrics.queue_log import KNOWN_EVENTS
from shared.auth import Role, RoleRequirement, current_staff
from shared.db import DbSession
from shared.errors import DomainError, InvalidInput, NotAuthenticated
from shared.limits import BusinessDateTime, check_text
from shared.throttle import TELEPHONY, TELEPHONY_ADDRESS, Guard, client_address, throttle_for

router = APIRouter()
# Issue 14: every field bounded, and no control characters (a NUL would fail the insert).
Name = Annotated[str, StringConstraints(min_length=1, max_length=80), AfterValidator(check_text)]
AgentName = Annotated[str, StringConstraints(max_length=120), AfterValidator(check_text)]
EventName = Annotated[str, StringConstraints(max_length=40), AfterValidator(check_text)]
DataField = Annotated[str, StringConstraints(max_length=500), AfterValidator(check_text)]


class WebhookOff(DomainError):
    status_code = 503
    code = "webhook_off"


class CallEvent(BaseModel):
    """One queue event, with the same meaning as a queue_log line (event names and data
    fields as Asterisk documents them: ENTERQUEUE, CONNECT, ABANDON, …)."""

    event_id: Name = Field(description="The sender's unique id for this event (dedupe key)")
    # With its UTC offset, on a business date inside shared.limits' window.
    at: BusinessDateTime
    call_id: Name
    queue: Name
    agent: AgentName = "NONE"
    event: EventName
    data: list[DataField] = Field(default_factory=list, max_length=10)


class CallEventBatch(BaseModel):
    source: Name = Field(description="Which telephony system sends these, e.g. 'avaya-hq'")
    events: list[CallEvent] = Field(min_length=1, max_length=5000)


class BatchResult(BaseModel):
    received: int
    stored: int  # new ones; the rest were already stored (a retried post)
    status: Literal["ok"] = "ok"


def _offset(event_id: str) -> int:
    return int.from_bytes(hashlib.sha256(event_id.encode()).digest()[:8], "big") >> 1


class TelephonySender(RoleRequirement):
    """The webhook's caller: a telephony system with the bearer token, or (for a manual
    replay) a staff session holding one of ``roles``, with its CSRF token. A
    ``RoleRequirement`` so route checks (tests/shared/test_role_matrix.py) read the roles."""

    # FastAPI reads this signature, not the base class's.
    async def __call__(self, request: Request) -> str:  # type: ignore[override]
        header = request.headers.get("authorization")
        if header is None:
            staff = await super().__call__(await current_staff(request))
            return staff.username
        expected = request.app.state.settings.telephony_token
        if not expected:
            raise WebhookOff("The telephony webhook is off: set ROOMLINE_TELEPHONY_TOKEN.")
        # Wrong tokens are throttled like staff logins (shared.throttle): by the credential
        # (there is one token) and by the client's address.
        throttle = throttle_for(request.app)
        guards = (Guard(TELEPHONY, "token"), Guard(TELEPHONY_ADDRESS, client_address(request)))
        await throttle.check(*guards)
        given = header.removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), expected.encode()):
            await throttle.failed(*guards)
            raise NotAuthenticated(
                "需要有效的电话系统令牌 / A valid telephony token is required "
                "(Authorization: Bearer …)."
            )
        return "telephony"


Sender = Annotated[str, Depends(TelephonySender(frozenset({Role.ADMIN.value})))]


@router.post("/api/call-events", response_model=BatchResult)
async def post_call_events(
    session: DbSession,
    batch: CallEventBatch,
    sender: Sender,
) -> Any:
    """Store call events from a telephony system (``Authorization: Bearer <token>``). Unknown
    event names are a 422 naming the event, and nothing of the batch is stored."""
    for index, item in enumerate(batch.events):
        if item.event not in KNOWN_EVENTS:
            raise _unknown(index, item.event)
    rows = [_row(item) for item in batch.events]
    # Stored and folded like the tailer's lines (issue 19): only the new ones are folded.
    stored = await store_events(session, batch.source, f"webhook:{batch.source}", rows)
    return BatchResult(received=len(rows), stored=stored)


def _unknown(index: int, event: str) -> DomainError:
    return InvalidInput(f"Unknown queue event {event!r}.", field=f"events.{index}.event")


def _row(item: CallEvent) -> dict[str, Any]:
    at: datetime = item.at
    return {
        "line_offset": _offset(item.event_id),
        "at": at,
        "call_id": item.call_id,
        "queue": item.queue,
        "agent": item.agent,
        "event": item.event,
        "data": item.data,
        "data_json": json.dumps(item.data, ensure_ascii=False),
    }
