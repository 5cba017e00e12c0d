"""The archive: everything sent to hotels and customers and everything received, by date (CF-4).

One list, newest first, of ``order_dispatch`` rows ("sent", dated when sent, else when
queued) and ``hotel_reply`` rows ("received"), searchable by business date range, hotel name,
booking ref and the hotel's confirmation number (on the task).

Dates: a search by booking ref or confirmation number without dates looks at all dates (the
desk seldom knows when a booking's mail went); any other search defaults to today's business
date, so the page opens on today's traffic.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, case, func, literal, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from services.confirmation.models import ConfirmationTask, HotelReply, OrderDispatch
from shared.clock import clock
from shared.errors import InvalidInput, NotFound
from shared.i18n import N_, _
from shared.limits import Refusal, check_date

PAGE_SIZE = 50
Column = ColumnElement[Any] | InstrumentedAttribute[Any]
Rows = Select[*tuple[Any, ...]]
Dates = tuple[date | None, date | None]


class ArchiveQuery(BaseModel):
    date_from: date | None = None
    date_to: date | None = None
    hotel: str = ""
    booking_ref: str = ""
    confirmation_no: str = ""


class ArchiveItem(BaseModel):
    direction: Literal["sent", "received"]
    item_id: uuid.UUID  # dispatch_id or reply_id
    at: datetime
    channel: str
    audience: str | None  # hotel or customer, for sent documents
    address: str  # where it went, or who sent it
    subject: str
    booking_ref: str | None
    hotel_name: str | None
    confirmation_no: str | None
    state: str  # queued/sent/failed, or matched/unmatched
    task_id: uuid.UUID | None
    has_document: bool


class ArchivePage(BaseModel):
    items: list[ArchiveItem]
    total: int
    page: int
    page_size: int
    # The dates searched (None: all dates).
    date_from: date | None
    date_to: date | None


# The date fields as a refusal names them (issue 15: in the reader's language).
DATE_FIELDS = {"date_from": N_("date from"), "date_to": N_("date to")}


def parse_date(value: str, field: str) -> date | None:
    """A business date from a form or query (YYYY-MM-DD); blank is None. A date outside
    shared.limits' window (year 1, 9999-12-31) is refused like a malformed one, naming the
    field, before any date arithmetic could overflow (issue 14)."""
    if not value.strip():
        return None
    name = _(DATE_FIELDS.get(field, field.replace("_", " ")))
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            _("%(field)s: '%(value)s' is not a date (YYYY-MM-DD).")
            % {"field": name, "value": value},
            field=field,
        ) from None
    try:
        return check_date(day)
    except ValueError as exc:  # in the reader's language, not the API's bilingual text
        said = exc.plain() if isinstance(exc, Refusal) else str(exc)
        raise InvalidInput(f"{name}: {said}", field=field) from None


def effective_dates(query: ArchiveQuery) -> Dates:
    """The date range searched: see the module docstring for the defaults."""
    if query.date_from is None and query.date_to is None:
        if query.booking_ref.strip() or query.confirmation_no.strip():
            return None, None
        today = clock.today()
        return today, today
    date_from = query.date_from or query.date_to
    date_to = query.date_to or query.date_from
    assert date_from is not None and date_to is not None
    if date_from > date_to:
        raise InvalidInput("date to: the range ends before it begins.", field="date_to")
    return date_from, date_to


def _contains(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with the user's % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filters(
    query: ArchiveQuery,
    dates: Dates,
    at: Column,
    booking_ref: Column,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if dates[0] is not None and dates[1] is not None:
        conditions.append(at >= clock.start_of_local_day(dates[0]))
        conditions.append(at < clock.start_of_local_day(dates[1] + timedelta(days=1)))
    if query.hotel.strip():
        pattern = _contains(query.hotel.strip())
        conditions.append(ConfirmationTask.hotel_name.ilike(pattern, escape="\\"))
    if query.booking_ref.strip():
        conditions.append(booking_ref == query.booking_ref.strip().upper())
    if query.confirmation_no.strip():
        number = query.confirmation_no.strip()
        conditions.append(func.upper(ConfirmationTask.hotel_confirmation_no) == number.upper())
    return conditions


def _sent(query: ArchiveQuery, dates: Dates) -> Rows:
    at = func.coalesce(OrderDispatch.sent_at, OrderDispatch.queued_at)
    return (
        select(
            literal("sent").label("direction"),
            OrderDispatch.dispatch_id.label("item_id"),
            at.label("at"),
            OrderDispatch.channel.label("channel"),
            OrderDispatch.audience.label("audience"),
            OrderDispatch.address.label("address"),
            OrderDispatch.subject.label("subject"),
            OrderDispatch.booking_ref.label("booking_ref"),
            ConfirmationTask.hotel_name.label("hotel_name"),
            ConfirmationTask.hotel_confirmation_no.label("confirmation_no"),
            OrderDispatch.state.label("state"),
            OrderDispatch.task_id.label("task_id"),
            OrderDispatch.document.is_not(None).label("has_document"),
        )
        .join(ConfirmationTask, ConfirmationTask.task_id == OrderDispatch.task_id)
        .where(*_filters(query, dates, at, OrderDispatch.booking_ref))
    )


def _reply_state() -> ColumnElement[str]:
    return case((HotelReply.task_id.is_(None), literal("unmatched")), else_=literal("matched"))


def _received(query: ArchiveQuery, dates: Dates) -> Rows:
    return (
        select(
            literal("received").label("direction"),
            HotelReply.reply_id.label("item_id"),
            HotelReply.received_at.label("at"),
            literal("email").label("channel"),
            null().label("audience"),
            HotelReply.mail_from.label("address"),
            HotelReply.subject.label("subject"),
            HotelReply.booking_ref.label("booking_ref"),
            ConfirmationTask.hotel_name.label("hotel_name"),
            ConfirmationTask.hotel_confirmation_no.label("confirmation_no"),
            _reply_state().label("state"),
            HotelReply.task_id.label("task_id"),
            literal(False).label("has_document"),
        )
        # Outer: an unmatched reply has no task, and is in the archive all the same.
        .join(ConfirmationTask, ConfirmationTask.task_id == HotelReply.task_id, isouter=True)
        .where(*_filters(query, dates, HotelReply.received_at, HotelReply.booking_ref))
    )


async def search(session: AsyncSession, *, query: ArchiveQuery, page: int) -> ArchivePage:
    """One page of the archive, newest first (CF-4)."""
    dates = effective_dates(query)
    everything = union_all(_sent(query, dates), _received(query, dates)).subquery()
    total = await session.scalar(select(func.count()).select_from(everything)) or 0
    rows = await session.execute(
        select(everything)
        .order_by(everything.c.at.desc(), everything.c.item_id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return ArchivePage(
        items=[ArchiveItem.model_validate(dict(row._mapping)) for row in rows],
        total=total,
        page=page,
        page_size=PAGE_SIZE,
        date_from=dates[0],
        date_to=dates[1],
    )


async def dispatch_document(session: AsyncSession, dispatch_id: uuid.UUID) -> tuple[bytes, str]:
    """A sent document's stored PDF and its file name."""
    row = (
        await session.execute(
            select(OrderDispatch.document, OrderDispatch.document_name).where(
                OrderDispatch.dispatch_id == dispatch_id
            )
        )
    ).first()
    if row is None or row.document is None:
        raise NotFound(f"No stored document for dispatch {dispatch_id}.", field="dispatch_id")
    return bytes(row.document), row.document_name or f"dispatch-{dispatch_id}.pdf"
