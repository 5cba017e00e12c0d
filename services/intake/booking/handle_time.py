"""When the handling of a booking started, and how long it took to commit (IN-1, IN-12, SL-2).

No time the browser sends decides a handle time (issue 14). Opening a booking form (the page
``GET /intake/book`` or, for machines, ``POST /intake/api/booking-forms``) writes a
``booking_form`` row: the agent's user id, the call id if the telephony opened the form for a
call, and the server's clock. The form carries only the row's random ``form_id``; the booking
reads the row, refuses an unknown id, another agent's, one opened more than 12 hours ago or one
already used, and marks it used in the booking's own transaction (a refused booking leaves it
usable; a committed one uses it once). A PostgreSQL row rather than a Redis key for that reason,
and so an expired form is told apart from a made-up one and the claimed and derived times stay
on record.

The start is, in order of trust:

- for a form opened for a call, the call's answer time. The telephony's own record of the call
  (metrics' ``call_line``) is not intake's to read and no event carries it yet, so the answer
  time the client gave is bounded by what the server saw: not after the first opening of a form
  for that call by that agent (a later or future time is taken as that opening), not more than
  ``CALL_BEFORE_FORM`` (2 hours) before it (an earlier time is taken as that limit, which only
  lengthens the handle time). An unreadable or missing answer time counts as that opening;
- otherwise the moment the server rendered the form;
- otherwise (a JSON booking sent with no ``form_id``) nothing: the handle time is unknown and
  the team page leaves it out of averages rather than guess; such a booking may not claim a
  call's answer time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.schemas import BookingRequest
from services.intake.models import booking_form
from shared.auth import Staff
from shared.errors import InvalidInput
from shared.i18n import N_, _

MAX_AGE = timedelta(hours=12)  # a form left open overnight measures nothing useful
CALL_BEFORE_FORM = timedelta(hours=2)  # the longest a call may run before its form is opened

_NOT_YOURS = N_("This booking form was not opened by you; open it again from the search.")


@dataclass(frozen=True, slots=True)
class Handling:
    started_at: datetime | None
    source: str | None  # "call" or "form"
    call_id: str | None
    form_id: uuid.UUID | None = None

    def seconds_until(self, committed_at: datetime) -> int | None:
        if self.started_at is None:
            return None
        return max(0, int((committed_at - self.started_at).total_seconds()))


@dataclass(frozen=True, slots=True)
class OpenedForm:
    form_id: uuid.UUID
    opened_at: datetime
    call_id: str | None
    call_answered_at: datetime | None  # server-derived (bounded), None without a call


async def open_form(
    session: AsyncSession,
    staff: Staff,
    *,
    call_id: str | None,
    claimed_answered_at: datetime | None,
    now: datetime,
) -> OpenedForm:
    """Record a booking form rendered now for ``staff`` (and the call it was opened for)."""
    if call_id and len(call_id) > 64:  # booking_form.call_id (and booking.call_id) hold 64
        raise InvalidInput(_("A call id is at most 64 characters."), field="call_id")
    answered = None
    if call_id:
        # Opening the form again for the same call does not restart its clock.
        first_opened, first_answered = (
            await session.execute(
                select(
                    func.min(booking_form.c.opened_at), func.min(booking_form.c.call_answered_at)
                )
                .where(booking_form.c.user_id == staff.user_id)
                .where(booking_form.c.call_id == call_id)
                .where(booking_form.c.opened_at >= now - MAX_AGE)
            )
        ).one()
        seen = first_opened or now
        claimed = claimed_answered_at if _aware(claimed_answered_at) else None
        answered = min(max(claimed or seen, seen - CALL_BEFORE_FORM), seen)
        if first_answered is not None:
            answered = min(answered, first_answered)
    form = OpenedForm(uuid.uuid4(), now, call_id or None, answered)
    await session.execute(
        booking_form.insert().values(
            form_id=form.form_id,
            user_id=staff.user_id,
            agent_username=staff.username,
            call_id=form.call_id,
            opened_at=now,
            claimed_call_answered_at=claimed_answered_at if call_id else None,
            call_answered_at=answered,
        )
    )
    return form


def claimed_time(text: str) -> datetime | None:
    """An answer time as the telephony put it in the page's address; an unreadable one, or one
    without its UTC offset, counts as not given (the form's opening stands in)."""
    try:
        moment = datetime.fromisoformat(text.strip())
        # In UTC, as stored; a moment at the calendar's edge (year 1, 9999) is no answer time.
        return moment.astimezone(UTC) if moment.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None


def _aware(moment: datetime | None) -> bool:
    return moment is not None and moment.tzinfo is not None


def handling_of_form(form: OpenedForm) -> Handling:
    if form.call_answered_at is not None:
        return Handling(form.call_answered_at, "call", form.call_id, form.form_id)
    return Handling(form.opened_at, "form", None, form.form_id)


def handling_from(request: BookingRequest, row: Any, staff: Staff, *, now: datetime) -> Handling:
    """The start of this booking's handling (IN-1) from the form's record, read with the
    booking's facts (``read.py``); ``row`` is None when no form has the request's id. Raises
    ``InvalidInput`` naming a bad field."""
    if not request.form_id:
        if request.call_id or request.call_answered_at:
            raise InvalidInput(
                _(
                    "A call's booking is timed from the booking form opened for the call: open "
                    "it (GET /intake/book or POST /intake/api/booking-forms) and send its "
                    "form_id."
                ),
                field="form_id",
            )
        return Handling(started_at=None, source=None, call_id=None)
    form = _checked_form(row, staff, now)
    if request.call_id and request.call_id != form.call_id:
        raise InvalidInput(
            _(
                "This booking form was opened for call %(form_call)s, not %(call)s; open the "
                "form for that call."
            )
            % {"form_call": form.call_id or _("(none)"), "call": request.call_id},
            field="call_id",
        )
    return handling_of_form(form)  # the request's own call_answered_at is not read


def _checked_form(row: Any, staff: Staff, now: datetime) -> OpenedForm:
    if row is None or row.user_id != staff.user_id:
        raise InvalidInput(_(_NOT_YOURS), field="form_id")
    if row.used_at is not None:
        raise InvalidInput(
            _("This booking form was already used for a booking; open a new one from the search."),
            field="form_id",
        )
    if row.opened_at < now - MAX_AGE:
        raise InvalidInput(
            _(
                "This booking form was opened more than 12 hours ago; open it again from the "
                "search."
            ),
            field="form_id",
        )
    return OpenedForm(row.form_id, row.opened_at, row.call_id, row.call_answered_at)


async def use_form(
    session: AsyncSession, handling: Handling, *, booking_id: uuid.UUID, now: datetime
) -> None:
    """Mark the booking's form used, once: a second booking from it is refused."""
    if handling.form_id is None:
        return
    used = await session.scalar(
        update(booking_form)
        .where(booking_form.c.form_id == handling.form_id, booking_form.c.used_at.is_(None))
        .values(used_at=now, booking_id=booking_id)
        .returning(booking_form.c.form_id)
    )
    if used is None:
        raise InvalidInput(
            _("This booking form was already used for a booking; open a new one from the search."),
            field="form_id",
        )
