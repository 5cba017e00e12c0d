"""What a booking change must pass before it is written (IN-5): which bookings may change,
the form rules of the new stay, and whether the nights it takes can still be sold.

How a change is read, night by night: each night of the old and the new stay gets a delta,
the rooms the new stay holds on it minus those the old stay held. A positive delta takes
rooms (a new night, or more rooms on a kept night), a negative one returns them. Only nights
that take rooms are checked against the signed contract (HR-3), the restrictions (IN-2) and,
when the rooms are taken, the allotment (IN-4); returning rooms is never refused by a sales
rule, so a guest can always leave early. Moving the arrival or the departure also checks
closed-to-arrival / closed-to-departure on the new date when the change takes any night.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking import repository
from services.intake.booking.placed import STATUS_TITLES
from services.intake.booking.repository import AnyRow
from services.intake.booking.schemas import BookedNightView
from services.intake.booking.service import MAX_NIGHTS, MAX_ROOMS
from services.intake.changes.schemas import ModifyRequest
from services.intake.inventory import contracted, restrictions
from shared.clock import clock
from shared.errors import Conflict, InvalidInput, NotFound, RuleViolated
from shared.i18n import _

RULE = "IN-5"
# Statuses whose rooms came out of the allotment. "requested" (on request, HR-2) never took
# any, "price_rejected" gave them back when the pricing desk said no (IN-11), and "full" when
# the hotel refused it (CF-3). "confirmed" holds them unless it was on request.
ROOM_HOLDING = frozenset({"placed", "awaiting_price_approval", "confirmed"})
# What may change: all are known to the confirmation desk and contracts, so every change is
# announced. A booking awaiting price approval waits for the pricing desk's answer first:
# the desk decides on the stay it was shown, and approving announces the booking as it stands.
# A confirmed booking may change too (the hotel confirms the change in turn, CF-1/CF-4).
CHANGEABLE = frozenset({"placed", "requested", "confirmed"})
CHANGE_FIELDS = (
    "check_in", "check_out", "rooms", "guest_names", "special_requests", "arrival_time",
)  # fmt: skip


def holds_rooms(booking: AnyRow) -> bool:
    # An on-request booking the hotel later granted still took nothing from our allotment.
    return booking.status in ROOM_HOLDING and not getattr(booking, "on_request", False)


@dataclass(frozen=True)
class Stay:
    check_in: date
    check_out: date
    rooms: int

    @property
    def nights(self) -> list[date]:
        return [
            self.check_in + timedelta(days=n) for n in range((self.check_out - self.check_in).days)
        ]


def room_deltas(old: Stay, new: Stay) -> dict[date, int]:
    """Per night, rooms to take (+) or return (-); nights that do not move are left out."""
    deltas: dict[date, int] = {}
    for night in new.nights:
        deltas[night] = deltas.get(night, 0) + new.rooms
    for night in old.nights:
        deltas[night] = deltas.get(night, 0) - old.rooms
    return {night: delta for night, delta in deltas.items() if delta}


def ensure_changeable(booking: AnyRow | None, booking_ref: str) -> AnyRow:
    """IN-5: a cancelled booking, or one whose stay is over, is history and stays as it is."""
    if booking is None:
        raise NotFound(_("No booking %(ref)s.") % {"ref": booking_ref})
    if booking.status == "cancelled":
        raise RuleViolated(
            _("Booking %(ref)s is cancelled; it cannot change") % {"ref": booking.booking_ref},
            rule=RULE,
        )
    if booking.status == "awaiting_price_approval":
        raise RuleViolated(
            _("Booking %(ref)s is awaiting price approval; the pricing desk answers first")
            % {"ref": booking.booking_ref},
            rule="IN-11",
        )
    if booking.status not in CHANGEABLE:
        title = STATUS_TITLES.get(booking.status)
        status = _(title) if title else booking.status.replace("_", " ")
        raise RuleViolated(
            _("Booking %(ref)s is %(status)s; it cannot change")
            % {"ref": booking.booking_ref, "status": status},
            rule=RULE,
        )
    if booking.check_out < clock.today():
        raise RuleViolated(
            _("The stay of %(ref)s ended on %(day)s; it cannot change")
            % {"ref": booking.booking_ref, "day": booking.check_out},
            rule=RULE,
        )
    return booking


def requested_changes(booking: AnyRow, request: ModifyRequest) -> dict[str, Any]:
    """The fields whose asked value differs from the booking's; refuses an empty change."""
    asked = request.model_dump(include=set(CHANGE_FIELDS), exclude_none=True)
    if "guest_names" in asked:
        asked["guest_names"] = [name for name in asked["guest_names"] if name.strip()]
        if not asked["guest_names"]:
            raise InvalidInput(_("Enter at least one guest name."), field="guest_names")
    changed = {
        field: value for field, value in asked.items() if value != current_value(booking, field)
    }
    if not changed:
        raise InvalidInput(
            _(
                "Nothing to change: give new dates, rooms, guests, special requests or arrival "
                "time."
            ),
            field="body",
        )
    return changed


def current_value(booking: AnyRow, field: str) -> Any:
    value = getattr(booking, field)
    return list(value) if field == "guest_names" else value


def check_new_stay(new: Stay, deltas: dict[date, int], changed: dict[str, Any]) -> None:
    """Form rules of the stay after the change (as for a new booking, IN-4)."""
    if new.check_out <= new.check_in:
        raise InvalidInput(_("Check-out must be after check-in."), field="check_out")
    if (new.check_out - new.check_in).days > MAX_NIGHTS:
        raise InvalidInput(
            _("A stay is at most %(n)s nights.") % {"n": MAX_NIGHTS}, field="check_out"
        )
    if not 1 <= new.rooms <= MAX_ROOMS:
        raise InvalidInput(
            _("Rooms must be between 1 and %(n)s.") % {"n": MAX_ROOMS}, field="rooms"
        )
    today = clock.today()
    # Nights already gone were used (or are a no-show matter): a change never rewrites them.
    if past := sorted(night for night in deltas if night < today):
        field = next((f for f in ("check_in", "check_out") if f in changed), "rooms")
        shown = ", ".join(map(str, past))
        raise InvalidInput(
            _("Nights before today (%(today)s) cannot change: %(nights)s.")
            % {"today": today, "nights": shown},
            field=field,
        )


async def priced_nights(
    session: AsyncSession, booking: AnyRow, new: Stay
) -> tuple[list[BookedNightView], list[date]]:
    """The new stay's per-night prices and its added nights. Kept nights keep the price frozen
    into the booking (IN-4); added nights take today's published sell price. A night's price
    holds for every room of it, so rooms added on a kept night are sold at its frozen price."""
    frozen = {n.night: n for n in await repository.booking_nights(session, booking.booking_id)}
    added = [night for night in new.nights if night not in frozen]
    current: dict[Any, AnyRow] = {}
    if added:
        current = await repository.prices_by_night(
            session, [booking.rate_plan_id], added[0], added[-1] + timedelta(days=1)
        )
    if missing := [n for n in added if (booking.rate_plan_id, n) not in current]:
        shown = ", ".join(map(str, missing))
        raise Conflict(
            _("No price for %(nights)s; these nights cannot be sold.") % {"nights": shown}
        )
    priced = []
    for night in new.nights:
        row = frozen.get(night) or current[(booking.rate_plan_id, night)]
        priced.append(
            BookedNightView(night=night, net_minor=row.net_minor, sell_minor=row.sell_minor)
        )
    return priced, added


async def ensure_can_sell(
    session: AsyncSession,
    booking: AnyRow,
    *,
    new: Stay,
    taking: list[date],
    changed: dict[str, Any],
) -> None:
    """The nights the change takes must still be for sale: hotel and rate sold, a signed
    contract (HR-3), no restriction against them (IN-2). Writes nothing."""
    if not taking:
        return
    plan = await repository.find_plan(session, booking.rate_plan_id)
    if plan is None or not plan.sellable:
        raise Conflict(
            _("%(hotel)s is on stop-sell; no nights can be added.") % {"hotel": booking.hotel_name}
        )
    if not (plan.rate_plan_active and plan.room_type_active):
        raise Conflict(
            _("%(plan)s (%(room_type)s) is no longer sold.")
            % {"plan": booking.rate_plan_name, "room_type": booking.room_type_name}
        )
    await contracted.ensure_contracted(session, hotel_id=booking.hotel_id, nights=taking)
    if holds_rooms(booking):
        # On request (HR-2) the hotel is asked anyway: its restrictions are its answer.
        await _ensure_restrictions(session, booking, new=new, taking=taking, changed=changed)


async def _ensure_restrictions(
    session: AsyncSession,
    booking: AnyRow,
    *,
    new: Stay,
    taking: list[date],
    changed: dict[str, Any],
) -> None:
    rows = await restrictions.by_night(session, [booking.room_type_id], new.check_in, new.check_out)
    by_night = {night: row for (_room_type, night), row in rows.items()}
    relevant = {night: by_night[night] for night in taking if night in by_night}
    for field in ("check_in", "check_out"):  # CTA / CTD are read on these dates' rows
        day = getattr(new, field)
        if field in changed and day in by_night:
            relevant[day] = by_night[day]
    if found := restrictions.problems(relevant, new.nights, clock.today()):
        raise RuleViolated(restrictions.sentence(found), rule=restrictions.RULE)
    # HR-2: a night sold only on request takes no allotment; a booking holding rooms cannot
    # half-become a request, so those nights are asked of the hotel as a booking of their own.
    if asked := restrictions.on_request_nights(relevant, taking):
        shown = ", ".join(map(str, asked))
        raise RuleViolated(
            _("On request on %(nights)s: book those nights as a request to the hotel")
            % {"nights": shown},
            rule="HR-2",
        )
