"""When the handling of a booking started, and how long it took to commit (IN-1, IN-12, SL-2).

The start is, in order of trust:

- the telephony's answer time (``call_answered_at``, with its ``call_id``) when the request
  carries one: the call centre's handle time starts when the phone is picked up;
- otherwise the moment the agent opened the booking form. The form carries it as a hidden
  ``form_opened_at`` token written by the server and signed with an HMAC keyed by the agent's
  session secret (the CSRF token), so it cannot be edited to shorten a handle time, nor
  replayed from another agent's session;
- otherwise nothing: the handle time is unknown and the team page leaves it out of averages
  rather than guess.

Either start must lie in the last 12 hours (a form left open overnight measures nothing
useful) and not in the future; a telephony clock up to a minute ahead of ours is tolerated and
counted from now, never as a negative handle time.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.intake.booking.schemas import BookingRequest
from shared.auth import Staff
from shared.clock import clock
from shared.errors import InvalidInput

MAX_AGE = timedelta(hours=12)
CLOCK_SKEW = timedelta(minutes=1)
_SEPARATOR = "~"


@dataclass(frozen=True, slots=True)
class Handling:
    started_at: datetime | None
    source: str | None  # "call" or "form"
    call_id: str | None

    def seconds_until(self, committed_at: datetime) -> int | None:
        if self.started_at is None:
            return None
        return max(0, int((committed_at - self.started_at).total_seconds()))


def form_token(staff: Staff, opened_at: datetime | None = None) -> str:
    """The hidden ``form_opened_at`` value of a booking form rendered now for ``staff``."""
    at = (opened_at or clock.now()).isoformat()
    return f"{at}{_SEPARATOR}{_signature(staff, at)}"


def _signature(staff: Staff, at: str) -> str:
    message = f"form_opened_at|{staff.username}|{at}".encode()
    return hmac.new(staff.csrf_token.encode(), message, hashlib.sha256).hexdigest()[:32]


def handling_of(request: BookingRequest, staff: Staff, *, now: datetime) -> Handling:
    """The start of this booking's handling; raises ``InvalidInput`` naming a bad field."""
    if request.call_id or request.call_answered_at:
        if not request.call_id:
            raise InvalidInput("Give the call's id with its answer time.", field="call_id")
        if request.call_answered_at is None:
            raise InvalidInput(
                "Give the time the call was answered with its call id.", field="call_answered_at"
            )
        started = _within_window(request.call_answered_at, now, "call_answered_at")
        return Handling(started_at=started, source="call", call_id=request.call_id)
    if request.form_opened_at:
        started = _within_window(_opened_at(request.form_opened_at, staff), now, "form_opened_at")
        return Handling(started_at=started, source="form", call_id=None)
    return Handling(started_at=None, source=None, call_id=None)


def _opened_at(token: str, staff: Staff) -> datetime:
    at, _, signature = token.rpartition(_SEPARATOR)
    if not at or not hmac.compare_digest(signature, _signature(staff, at)):
        raise InvalidInput(
            "This booking form was not opened in your session; open it again from the search.",
            field="form_opened_at",
        )
    return datetime.fromisoformat(at)  # signed by us, so well formed


def _within_window(started: datetime, now: datetime, field: str) -> datetime:
    if started.tzinfo is None:
        raise InvalidInput("Give the time with its UTC offset, e.g. +08:00.", field=field)
    if started > now + CLOCK_SKEW:
        raise InvalidInput("The handling start is in the future.", field=field)
    if started < now - MAX_AGE:
        raise InvalidInput(
            "The handling started more than 12 hours ago; open the booking form again.",
            field=field,
        )
    return min(started, now)
