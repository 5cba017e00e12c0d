"""Business rules of the intake desk: search sellable rooms (IN-2) and place bookings (IN-4).

Service functions take the session and keyword-only arguments, raise ``DomainError``s, and never
commit: the request dependency commits (or rolls back) the whole booking as one transaction.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import UTC, date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import conditions, recommended, repository, restrictions
from services.intake.repository import AnyRow
from services.intake.schemas import (
    BookedNightView,
    BookingRequest,
    BookingView,
    NightOffer,
    Offer,
    PlacedBooking,
    SearchResult,
)
from services.intake.settings import SCHEMA
from shared import audit
from shared.auth import Staff
from shared.clock import clock
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.intake import BookedNight, BookingPlacedV1
from shared.events.outbox import publish
from shared.observability import BOOKINGS_CREATED, get_logger

log = get_logger("intake")

MAX_NIGHTS = 30
MAX_ROOMS = 9
# No I, O, 0, 1 (misheard on the phone). Refs with 4+ digits in a row are redrawn so they never
# look like a phone number to people or to the log masker (shared.observability).
_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_DIGIT_RUN = re.compile(r"\d{4,}")
_PHONE = re.compile(r"\+?[\d\s()-]+")


def new_booking_ref() -> str:
    """``RL`` + 8 characters of base32 (40 random bits): short enough to read out on a call."""
    while True:
        ref = "RL" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))
        if not _DIGIT_RUN.search(ref):
            return ref


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def stay_nights(*, check_in: date, check_out: date, rooms: int) -> list[date]:
    """The nights of a stay after the form rules of IN-2/IN-4; raises ``InvalidInput``."""
    today = clock.today()  # business date (Asia/Shanghai by default), not the server's
    if check_in < today:
        raise InvalidInput(
            f"Check-in {check_in} is in the past (today is {today}).", field="check_in"
        )
    if check_out <= check_in:
        raise InvalidInput("Check-out must be after check-in.", field="check_out")
    if (check_out - check_in).days > MAX_NIGHTS:
        raise InvalidInput(f"A stay is at most {MAX_NIGHTS} nights.", field="check_out")
    if not 1 <= rooms <= MAX_ROOMS:
        raise InvalidInput(f"Rooms must be between 1 and {MAX_ROOMS}.", field="rooms")
    return [check_in + timedelta(days=n) for n in range((check_out - check_in).days)]


# --- search (IN-2) -------------------------------------------------------------------------


async def search(
    session: AsyncSession, *, city: str, check_in: date, check_out: date, rooms: int
) -> SearchResult:
    """Every active rate plan of the city's sellable hotels, priced and counted per night."""
    if not city.strip():
        raise InvalidInput("Enter a city.", field="city")
    nights = stay_nights(check_in=check_in, check_out=check_out, rooms=rooms)
    plans = await repository.sellable_plans_in_city(session, city)
    offers = await _offers(session, plans, nights, rooms)
    # HR-6 / IN-2: the month's approved recommended hotels rank first; otherwise the order
    # the repository gave (the sort is stable).
    favoured = await recommended.recommended_in(session, month_of=check_in)
    terms = await conditions.conditions_by_hotel(session, list({o.hotel_id for o in offers}))
    offers = [
        o.model_copy(
            update={"recommended": o.hotel_id in favoured, "conditions": terms.get(o.hotel_id, [])}
        )
        for o in offers
    ]
    offers.sort(key=lambda offer: not offer.recommended)
    return SearchResult(
        city=city.strip(), check_in=check_in, check_out=check_out, rooms=rooms, offers=offers
    )


async def quote(
    session: AsyncSession, *, rate_plan_id: uuid.UUID, check_in: date, check_out: date, rooms: int
) -> Offer:
    """One rate plan over a stay, for the booking form."""
    nights = stay_nights(check_in=check_in, check_out=check_out, rooms=rooms)
    plan = await repository.find_plan(session, rate_plan_id)
    if plan is None:
        raise InvalidInput(f"Unknown rate plan {rate_plan_id}.", field="rate_plan_id")
    _ensure_on_sale(plan)
    return (await _offers(session, [plan], nights, rooms))[0]


async def _offers(
    session: AsyncSession, plans: list[AnyRow], nights: list[date], rooms: int
) -> list[Offer]:
    if not plans:
        return []
    check_in, check_out = nights[0], nights[-1] + timedelta(days=1)
    room_type_ids = list({p.room_type_id for p in plans})
    remaining = await repository.remaining_by_night(session, room_type_ids, check_in, check_out)
    prices = await repository.prices_by_night(
        session, [p.rate_plan_id for p in plans], check_in, check_out
    )
    restricted = await restrictions.by_night(session, room_type_ids, check_in, check_out)
    return [_offer(plan, nights, rooms, remaining, prices, restricted) for plan in plans]


def _offer(
    plan: AnyRow,
    nights: list[date],
    rooms: int,
    remaining: dict[tuple[uuid.UUID, date], int],
    prices: dict[tuple[uuid.UUID, date], AnyRow],
    restricted: dict[tuple[uuid.UUID, date], AnyRow],
) -> Offer:
    per_night: list[NightOffer] = []
    problems: list[str] = []
    for night in nights:
        left = remaining.get((plan.room_type_id, night))
        price = prices.get((plan.rate_plan_id, night))
        per_night.append(
            NightOffer(night=night, sell_minor=price.sell_minor if price else None, remaining=left)
        )
        if left is None:
            problems.append(f"no rooms released for {night}")
        elif left < rooms:
            problems.append(f"full on {night} ({plural(left, 'room')} left)")
        if price is None:
            problems.append(f"no price for {night}")
    rows = {night: row for (rt, night), row in restricted.items() if rt == plan.room_type_id}
    problems += restrictions.problems(rows, nights, clock.today())  # IN-2
    priced = [n.sell_minor for n in per_night if n.sell_minor is not None]
    currency = next(
        (p.currency for p in prices.values() if p.rate_plan_id == plan.rate_plan_id), None
    )
    return Offer(
        **{k: getattr(plan, k) for k in _PLAN_FIELDS},
        currency=currency or plan.currency,
        nights=per_night,
        total_sell_minor=sum(priced) * rooms if len(priced) == len(nights) else None,
        min_remaining=min((n.remaining or 0) for n in per_night),
        can_sell=not problems,
        reason=restrictions.sentence(problems),
    )


_PLAN_FIELDS = (
    "hotel_id",
    "hotel_name",
    "hotel_name_zh",
    "district",
    "star_grade",
    "room_type_id",
    "room_type_name",
    "rate_plan_id",
    "rate_plan_name",
    "payment_mode",
)


def _ensure_on_sale(plan: AnyRow) -> None:
    if not plan.sellable:
        raise Conflict(f"{plan.hotel_name} is on stop-sell.")
    if not (plan.rate_plan_active and plan.room_type_active):
        raise Conflict(f"{plan.rate_plan_name} ({plan.room_type_name}) is no longer sold.")


# --- booking (IN-1, IN-4) ------------------------------------------------------------------


async def place_booking(
    session: AsyncSession, *, staff: Staff, request: BookingRequest
) -> PlacedBooking:
    """Sell the rooms and record the booking in one transaction, or change nothing.

    A repeated idempotency key returns the booking it already placed, without selling again.
    """
    if replay := await repository.find_booking(session, idempotency_key=request.idempotency_key):
        return PlacedBooking(booking=await _view(session, replay), created=False)
    nights = stay_nights(
        check_in=request.check_in, check_out=request.check_out, rooms=request.rooms
    )
    guest_names = _checked_people(request)
    plan = await _bookable_plan(session, request)
    await restrictions.ensure_sellable(
        session, room_type_id=plan.room_type_id, nights=nights, today=clock.today()
    )
    prices, currency = await _frozen_prices(session, plan, nights)
    values = _booking_values(request, staff, plan, guest_names, prices, currency)
    if twin := await _insert_booking(session, values):
        return PlacedBooking(booking=await _view(session, twin), created=False)
    night_rows = [{"booking_id": values["booking_id"], **p.model_dump()} for p in prices]
    await repository.insert_booking_nights(session, night_rows)
    view = BookingView(**values, nights=prices)
    await _announce(session, view, staff)
    # Rooms are taken last: the nights stay locked only for the decrement and the commit, and
    # every booking of a popular hotel queues on those rows. A sold-out night rolls back all.
    await _take_rooms(session, room_type_id=plan.room_type_id, nights=nights, rooms=request.rooms)
    _log_placed(view)
    return PlacedBooking(booking=view, created=True)


async def get_booking(session: AsyncSession, *, booking_ref: str) -> BookingView:
    found = await repository.find_booking(session, booking_ref=booking_ref.strip().upper())
    if found is None:
        raise NotFound(f"No booking {booking_ref}.")
    return await _view(session, found)


def _checked_people(request: BookingRequest) -> list[str]:
    """IN-4: at least one guest, and a booker the hotel and the desk can call back."""
    guest_names = [name.strip() for name in request.guest_names if name.strip()]
    if not guest_names:
        raise InvalidInput("Enter at least one guest name.", field="guest_names")
    if not request.booker_name:
        raise InvalidInput("Enter the booker's name.", field="booker_name")
    digits = sum(ch.isdigit() for ch in request.booker_phone)
    if not _PHONE.fullmatch(request.booker_phone) or not 7 <= digits <= 20:
        raise InvalidInput(
            "Enter the booker's phone number (7 to 20 digits).", field="booker_phone"
        )
    return guest_names


async def _bookable_plan(session: AsyncSession, request: BookingRequest) -> AnyRow:
    plan = await repository.find_plan(session, request.rate_plan_id)
    # One query on the hot path: the plan's row carries its hotel; only a miss asks more.
    if plan is None and not await repository.hotel_exists(session, request.hotel_id):
        raise InvalidInput(f"Unknown hotel {request.hotel_id}.", field="hotel_id")
    if plan is not None and plan.plan_hotel_id != request.hotel_id:
        if not await repository.hotel_exists(session, request.hotel_id):
            raise InvalidInput(f"Unknown hotel {request.hotel_id}.", field="hotel_id")
    if plan is None or plan.plan_hotel_id != request.hotel_id:
        raise InvalidInput(
            f"Unknown rate plan {request.rate_plan_id} for this hotel.", field="rate_plan_id"
        )
    _ensure_on_sale(plan)
    if request.payment_mode != plan.payment_mode:
        # The rate plan fixes how the stay is paid: its net price terms depend on it (PAY-4).
        raise InvalidInput(
            f"{plan.rate_plan_name} is sold as {plan.payment_mode}, not {request.payment_mode}.",
            field="payment_mode",
        )
    return plan


async def _frozen_prices(
    session: AsyncSession, plan: AnyRow, nights: list[date]
) -> tuple[list[BookedNightView], str]:
    """Per-night prices as they stand now; the booking keeps them whatever contracts do later."""
    check_out = nights[-1] + timedelta(days=1)
    prices = await repository.prices_by_night(session, [plan.rate_plan_id], nights[0], check_out)
    missing = [night for night in nights if (plan.rate_plan_id, night) not in prices]
    if missing:
        raise Conflict(f"No price for {', '.join(map(str, missing))}; this rate cannot be sold.")
    rows = [prices[(plan.rate_plan_id, night)] for night in nights]
    frozen = [
        BookedNightView(night=r.night, net_minor=r.net_minor, sell_minor=r.sell_minor) for r in rows
    ]
    return frozen, rows[0].currency


def _booking_values(
    request: BookingRequest,
    staff: Staff,
    plan: AnyRow,
    guest_names: list[str],
    prices: list[BookedNightView],
    currency: str,
) -> dict[str, Any]:
    now = clock.now()
    started = request.handling_started_at
    if started is not None:
        started = started if started.tzinfo else started.replace(tzinfo=UTC)
        started = min(started, now)  # a skewed client clock must not make handle time negative
    fields = request.model_dump(exclude={"guest_names", "handling_started_at"})
    return {
        **fields,
        **{k: getattr(plan, k) for k in ("room_type_id", "hotel_name", "room_type_name")},
        "rate_plan_name": plan.rate_plan_name,
        "booking_id": uuid.uuid4(),
        "booking_ref": "",  # drawn at insert
        "guest_names": guest_names,
        "urgent": request.check_in == clock.today(),  # IN-4: check-in today is urgent
        "status": "placed",
        "handling_started_at": started,  # IN-1
        "committed_at": now,
        "agent_username": staff.username,
        "total_sell_minor": sum(p.sell_minor for p in prices) * request.rooms,
        "currency": currency,
    }


async def _insert_booking(session: AsyncSession, values: dict[str, Any]) -> AnyRow | None:
    """Insert the booking; returns the existing one if a twin request with the same key won."""
    for _ in range(5):
        values["booking_ref"] = new_booking_ref()
        if await repository.insert_booking(session, values):
            return None
        twin = await repository.find_booking(session, idempotency_key=values["idempotency_key"])
        if twin is not None:
            return twin
        # Otherwise the reference was taken (2^40 of them: rare even at millions): draw again.
    raise RuntimeError("could not draw a free booking reference")


async def _take_rooms(
    session: AsyncSession, *, room_type_id: uuid.UUID, nights: list[date], rooms: int
) -> None:
    """IN-4, ARCHITECTURE: lock the nights in order, then the guarded decrement in SQL."""
    check_in, check_out = nights[0], nights[-1] + timedelta(days=1)
    locked = await repository.lock_nights(session, room_type_id, check_in, check_out)
    released = {row.night for row in locked}
    if missing := [night for night in nights if night not in released]:
        raise Conflict(f"No rooms released for {', '.join(map(str, missing))}.")
    taken = await repository.take_rooms(session, room_type_id, check_in, check_out, rooms)
    if taken != len(nights):
        # The rows are still locked, so what we read under the lock is what the guard saw.
        short = [row for row in locked if row.remaining < rooms] or locked
        raise Conflict(
            "; ".join(
                f"Sold out on {row.night}: {plural(row.remaining, 'room')} left, {rooms} asked"
                for row in short
            )
        )


async def _announce(session: AsyncSession, view: BookingView, staff: Staff) -> None:
    """The event and the audit row of a new booking, in its transaction."""
    payload = BookingPlacedV1(
        **view.model_dump(exclude={"nights", "committed_at"}),
        nights=[BookedNight(**n.model_dump()) for n in view.nights],
        placed_at=view.committed_at,
    )
    await publish(session, schema=SCHEMA, payload=payload, occurred_at=view.committed_at)
    summary = view.model_dump(
        mode="json",
        include={"booking_ref", "hotel_id", "rate_plan_id", "check_in", "check_out", "rooms"}
        | {"payment_mode", "total_sell_minor", "currency", "urgent"},
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
    nights = await repository.booking_nights(session, row.booking_id)
    return BookingView(
        **row._asdict(),
        nights=[
            BookedNightView(night=n.night, net_minor=n.net_minor, sell_minor=n.sell_minor)
            for n in nights
        ],
    )
