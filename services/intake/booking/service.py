"""Business rules of the intake desk: place bookings (IN-4) and quote one rate plan for the
booking form. The search (IN-2) and its alternatives (IN-3) live in ``search.py``.

Service functions take the session and keyword-only arguments, raise ``DomainError``s, and never
commit: the request dependency commits (or rolls back) the whole booking as one transaction.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import bounds
from services.intake.booking import fields as booking_fields
from services.intake.booking import handle_time, placed, read, repository, write
from services.intake.booking.fields import CheckedDetails
from services.intake.booking.handle_time import Handling
from services.intake.booking.repository import AnyRow
from services.intake.booking.schemas import (
    BookedNightView,
    BookingRequest,
    BookingView,
    Offer,
    PlacedBooking,
)
from services.intake.callers import service as callers
from services.intake.inventory import contracted, restrictions
from services.intake.inventory import rooms as inventory
from services.intake.search import offers
from services.intake.settings import SCHEMA
from services.intake.special_prices import service as special_price
from shared import audit
from shared.auth import Staff
from shared.booking_refs import new_booking_ref
from shared.clock import clock
from shared.errors import Conflict, InvalidInput, NotFound
from shared.i18n import _
from shared.observability import BOOKINGS_CREATED, get_logger

log = get_logger("intake")

MAX_NIGHTS = bounds.MAX_NIGHTS  # one stay
MAX_ROOMS = bounds.MAX_ROOMS  # one booking; the API's types say the same (bounds.py)


def stay_nights(*, check_in: date, check_out: date, rooms: int) -> list[date]:
    """The nights of a stay after the form rules of IN-2/IN-4; raises ``InvalidInput``."""
    today = clock.today()  # business date (Asia/Shanghai by default), not the server's
    if check_in < today:
        raise InvalidInput(
            _("Check-in %(check_in)s is in the past (today is %(today)s).")
            % {"check_in": check_in, "today": today},
            field="check_in",
        )
    if check_out <= check_in:
        raise InvalidInput(_("Check-out must be after check-in."), field="check_out")
    if (check_out - check_in).days > MAX_NIGHTS:
        raise InvalidInput(
            _("A stay is at most %(n)s nights.") % {"n": MAX_NIGHTS}, field="check_out"
        )
    if not 1 <= rooms <= MAX_ROOMS:
        raise InvalidInput(
            _("Rooms must be between 1 and %(n)s.") % {"n": MAX_ROOMS}, field="rooms"
        )
    return [check_in + timedelta(days=n) for n in range((check_out - check_in).days)]


# --- the booking form's prices (IN-2). Offers are priced and judged in offers.py, for this
# quote and for the search (search.py) alike.


async def quote(
    session: AsyncSession, *, rate_plan_id: uuid.UUID, check_in: date, check_out: date, rooms: int
) -> Offer:
    """One rate plan over a stay, for the booking form."""
    nights = stay_nights(check_in=check_in, check_out=check_out, rooms=rooms)
    plan = await repository.find_plan(session, rate_plan_id)
    if plan is None:
        raise InvalidInput(
            _("Unknown rate plan %(id)s.") % {"id": rate_plan_id}, field="rate_plan_id"
        )
    _ensure_on_sale(plan)
    return (await offers.price_offers(session, [plan], nights, rooms))[0]


def _ensure_on_sale(plan: AnyRow) -> None:
    if not plan.sellable:
        raise Conflict(_("%(hotel)s is on stop-sell.") % {"hotel": plan.hotel_name})
    if not (plan.rate_plan_active and plan.room_type_active):
        raise Conflict(
            _("%(plan)s (%(room_type)s) is no longer sold.")
            % {"plan": plan.rate_plan_name, "room_type": plan.room_type_name}
        )


# --- booking (IN-1, IN-4) ------------------------------------------------------------------


async def place_booking(
    session: AsyncSession, *, staff: Staff, request: BookingRequest
) -> PlacedBooking:
    """Sell the rooms and record the booking in one transaction, or change nothing.

    A repeated idempotency key returns the booking it already placed, without selling again.
    A stay with a night on request (HR-2) takes no rooms and is announced as a request; a
    special price (IN-11) holds the rooms but waits for the pricing desk (special_price.py).
    Issue 19: one read (``read.py``) feeds every check below, and one write (``write.py``)
    places a plain or on-request booking; a special price keeps the statement-by-statement
    path, being rare and writing to the pricing desk's tables too.
    """
    today = clock.today()
    facts = await read.booking_facts(session, request, today=today, since=_year_before(today))
    if facts.replay_id is not None:
        return await _replay(session, request.idempotency_key)
    nights = stay_nights(
        check_in=request.check_in, check_out=request.check_out, rooms=request.rooms
    )
    details = booking_fields.checked(request)  # IN-4
    handling = handle_time.handling_from(request, facts.form, staff, now=clock.now())  # IN-1
    plan = _checked_plan(request, facts.plan, hotel_known=facts.hotel_known)
    request = callers.with_vip_request(request, facts.frequent)  # IN-10
    contracted.refuse_uncovered(facts.contracts, nights)  # HR-3
    asked = restrictions.ensure_sellable(facts.restrictions, nights, today)  # IN-2, HR-2
    published, currency = _priced(facts, nights)
    special = special_price.checked_nights(request, published)  # IN-11, HR-4
    priced = special or published
    values = _booking_values(
        request, staff, plan, details, handling, priced, currency,
        on_request=bool(asked), special=special is not None,
    )  # fmt: skip
    if special is not None:
        prices = (priced, published)
        return await _place_special(session, staff, request, values, handling, prices)
    written = await write.place(
        session, values, priced, staff=staff, take_rooms=not asked, form_id=handling.form_id
    )
    if written.view is None:
        return await _replay(session, request.idempotency_key)
    _log_placed(written.view)
    return PlacedBooking(booking=written.view, created=True)


async def _replay(session: AsyncSession, idempotency_key: str) -> PlacedBooking:
    twin = await repository.find_booking(session, idempotency_key=idempotency_key)
    assert twin is not None  # found by the read or the write, and bookings are never deleted
    return PlacedBooking(booking=await _view(session, twin), created=False)


async def _place_special(
    session: AsyncSession,
    staff: Staff,
    request: BookingRequest,
    values: dict[str, Any],
    handling: Handling,
    prices: tuple[list[BookedNightView], list[BookedNightView]],
) -> PlacedBooking:
    """IN-11: the booking holds its rooms and waits for the pricing desk; it is written
    statement by statement (rare, and it writes the pricing desk's request too)."""
    priced, published = prices
    if twin := await _insert_booking(session, values):
        return PlacedBooking(booking=await _view(session, twin), created=False)
    # IN-1: the form's record is used once, in this transaction (a refusal leaves it usable).
    await handle_time.use_form(
        session, handling, booking_id=values["booking_id"], now=values["committed_at"]
    )
    night_rows = [{"booking_id": values["booking_id"], **p.model_dump()} for p in priced]
    await repository.insert_booking_nights(session, night_rows)
    view = BookingView(**values, nights=priced)
    view = await _announce(session, view, staff, request, published)
    if not values["on_request"]:
        # Rooms are taken last: the nights stay locked only for the decrement and the commit.
        # On request (HR-2) there is no allotment to take: the hotel is asked.
        await inventory.move_rooms(
            session, values["room_type_id"], {night.night: request.rooms for night in priced}
        )
    _log_placed(view)
    return PlacedBooking(booking=view, created=True)


async def get_booking(session: AsyncSession, *, booking_ref: str) -> BookingView:
    found = await repository.find_booking(session, booking_ref=booking_ref.strip().upper())
    if found is None:
        raise NotFound(_("No booking %(ref)s.") % {"ref": booking_ref})
    return await _view(session, found)


def _checked_plan(request: BookingRequest, plan: AnyRow, *, hotel_known: bool) -> AnyRow:
    """The plan row read with the booking's facts: known, of this hotel, on sale, paid as asked."""
    if plan.rate_plan_id is None or plan.plan_hotel_id != request.hotel_id:
        if not hotel_known:
            raise InvalidInput(
                _("Unknown hotel %(id)s.") % {"id": request.hotel_id}, field="hotel_id"
            )
        raise InvalidInput(
            _("Unknown rate plan %(id)s for this hotel.") % {"id": request.rate_plan_id},
            field="rate_plan_id",
        )
    _ensure_on_sale(plan)
    if request.payment_mode != plan.payment_mode:
        # The rate plan fixes how the stay is paid: its net price terms depend on it (PAY-4).
        raise InvalidInput(
            _("%(plan)s is sold as %(mode)s, not %(asked)s.")
            % {
                "plan": plan.rate_plan_name,
                "mode": plan.payment_mode,
                "asked": request.payment_mode,
            },
            field="payment_mode",
        )
    return plan


def _priced(facts: read.Facts, nights: list[date]) -> tuple[list[BookedNightView], str]:
    """Per-night prices as they stand now; the booking keeps them whatever contracts do later."""
    if missing := [night for night in nights if night not in facts.prices]:
        shown = ", ".join(map(str, missing))
        raise Conflict(_("No price for %(nights)s; this rate cannot be sold.") % {"nights": shown})
    frozen = [
        BookedNightView(night=n, net_minor=p.net_minor, sell_minor=p.sell_minor)
        for n, p in zip(nights, map(facts.prices.__getitem__, nights), strict=True)
    ]
    assert facts.currency is not None  # a price was found, so was its currency
    return frozen, facts.currency


def _year_before(today: date) -> date:
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def _booking_values(
    request: BookingRequest,
    staff: Staff,
    plan: AnyRow,
    details: CheckedDetails,
    handling: Handling,
    prices: list[BookedNightView],
    currency: str,
    *,
    on_request: bool,
    special: bool,
) -> dict[str, Any]:
    """The booking row: every IN-4 field, the IN-1 times and the status (placed.py)."""
    now = clock.now()
    status = placed.REQUESTED if on_request else placed.PLACED
    return {
        **request.model_dump(include=_REQUEST_COLUMNS),
        **{k: getattr(plan, k) for k in ("room_type_id", "hotel_name", "room_type_name")},
        "rate_plan_name": plan.rate_plan_name,
        "booking_id": uuid.uuid4(),
        "booking_ref": "",  # drawn at insert
        "guest_names": details.guest_names,
        "confirm_contact": details.confirm_contact,
        "urgent": request.check_in == clock.today(),  # IN-4: check-in today is urgent
        "on_request": on_request,
        "status": placed.AWAITING_PRICE_APPROVAL if special else status,
        "handling_started_at": handling.started_at,  # IN-1
        "handling_source": handling.source,
        "call_id": handling.call_id,
        "handle_seconds": handling.seconds_until(now),
        "committed_at": now,
        "agent_username": staff.username,
        "total_sell_minor": sum(p.sell_minor for p in prices) * request.rooms,
        "currency": currency,
    }


# Request fields stored as they were sent (after parsing and the checks above).
_REQUEST_COLUMNS = {
    "hotel_id", "rate_plan_id", "check_in", "check_out", "rooms", "booker_name", "booker_phone",
    "booker_company", "member_card", "payment_mode", "confirm_channel", "reply_at_once",
    "special_requests", "arrival_time", "idempotency_key", "source",
}  # fmt: skip


async def _insert_booking(session: AsyncSession, values: dict[str, Any]) -> AnyRow | None:
    """Insert the booking; returns the existing one if a twin request with the same key won."""
    for _attempt in range(5):
        values["booking_ref"] = new_booking_ref()
        if await repository.insert_booking(session, values):
            return None
        twin = await repository.find_booking(session, idempotency_key=values["idempotency_key"])
        if twin is not None:
            return twin
        # Otherwise the reference was taken (2^40 of them: rare even at millions): draw again.
    raise RuntimeError("could not draw a free booking reference")


async def _announce(
    session: AsyncSession,
    view: BookingView,
    staff: Staff,
    request: BookingRequest,
    published: list[BookedNightView],
) -> BookingView:
    """The event (or, for a special price, the pricing desk's request) and the audit row of a
    new booking, in its transaction."""
    if view.status == placed.AWAITING_PRICE_APPROVAL:
        asked = await special_price.open_request(
            session, view=view, published=published, request=request
        )
        view = view.model_copy(update={"special_price": asked})
    else:
        await placed.publish_placed(session, view, placed_at=view.committed_at)
    summary = view.model_dump(
        mode="json",
        include={"booking_ref", "hotel_id", "rate_plan_id", "check_in", "check_out", "rooms"}
        | {"payment_mode", "total_sell_minor", "currency", "urgent", "status"}
        | {"confirm_channel", "reply_at_once", "handle_seconds", "source"},
    )
    await audit.record(
        session,
        schema=SCHEMA,
        actor=staff,
        action="place",
        entity="booking",
        entity_id=view.booking_ref,
        after=summary,
    )
    return view


def _log_placed(view: BookingView) -> None:
    log.info(
        "booking_placed",
        booking_ref=view.booking_ref,
        booker_phone=view.booker_phone,
        guest_names=view.guest_names,
    )
    # Counted before the commit: a commit failing after this point is rare and already alarms.
    BOOKINGS_CREATED.labels(view.payment_mode).inc()


async def _view(session: AsyncSession, row: AnyRow) -> BookingView:
    return await placed.view_of(session, row, await special_price.find(session, row.booking_id))
