"""Special prices (IN-11): an agent sells below the published price; the pricing desk decides.

- The agent enters one per-night sell price (``special_sell_minor``) with a reason. It must be
  below the published sell price of every night of the stay (otherwise it is not special) and
  never below the net price of any night (HR-4: we do not sell at a loss). Both are 422s
  naming ``special_sell_minor``.
- The booking is stored as ``awaiting_price_approval`` and its rooms ARE taken from the
  allotment in the same transaction, so nobody sells the guest's rooms meanwhile.
- No ``intake.booking_placed`` is published yet. Chosen over "publish now, let confirmation
  ignore it until approved": the confirmation desk must never send a hotel an order at a
  price we might not honour, contracts must not count unapproved sales in its rankings
  (HR-11), and neither consumer needs to learn a new state. The event goes out on approval,
  with ``placed_at`` = the approval, which starts the CF-2 deadline when the desk may act.
- The pricing desk (hotel resources or the director) approves, or rejects with a reason;
  rejecting gives the rooms back in the same transaction and the agent reads the reason on
  the booking page. Maker-checker: agents cannot reach the routes, the service checks the
  role again, and nobody approves a special price they asked for themselves.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import (
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking import placed
from services.intake.booking.repository import AnyRow
from services.intake.booking.schemas import (
    BookedNightView,
    BookingRequest,
    BookingView,
    SpecialPriceView,
)
from services.intake.bounds import checked_page
from services.intake.inventory import rooms as inventory
from services.intake.models import booking
from services.intake.settings import SCHEMA
from services.intake.special_prices.models import special_price
from shared import audit
from shared.auth import Role, Staff, ensure_role
from shared.clock import clock
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleBrokenByInput
from shared.i18n import N_, _

PRICING_DESK = (Role.HOTEL_RESOURCES, Role.RESOURCES_DIRECTOR)
PAGE_SIZE = 50
STATES = ("pending", "approved", "rejected")
# The states as the pages name them (translated where shown, ``{{ _(state_titles[…]) }}``).
STATE_TITLES: dict[str, str] = {
    "pending": N_("pending"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
}


_VIEW_COLUMNS = tuple(special_price.c[name] for name in SpecialPriceView.model_fields)
# The booking and its request in one row; the two shared names come from the booking.
_WITH_BOOKING = (
    *booking.c,
    *(c for c in special_price.c if c.name not in ("booking_id", "booking_ref")),
)


class SpecialPriceItem(BaseModel):
    """One row of the pricing desk's queue: the booking, what was published, what is asked."""

    booking_ref: str
    hotel_name: str
    room_type_name: str
    rate_plan_name: str
    check_in: date
    check_out: date
    rooms: int
    currency: str
    agent_username: str
    special: SpecialPriceView
    published: list[BookedNightView]

    @property
    def lowest_published_minor(self) -> int:
        return min(n.sell_minor for n in self.published)

    @property
    def highest_net_minor(self) -> int:
        return max(n.net_minor for n in self.published)

    @property
    def margin_percent(self) -> float:
        """The thinnest night's margin at the special price (HR-4 wants 10% on average)."""
        sell = self.special.special_sell_minor
        return 100.0 * (sell - self.highest_net_minor) / sell


class SpecialPricePage(BaseModel):
    items: list[SpecialPriceItem]
    state: str
    total: int
    page: int
    page_size: int


# --- placing (called by service.place_booking) ---------------------------------------------


def checked_nights(
    request: BookingRequest, published: list[BookedNightView]
) -> list[BookedNightView] | None:
    """The stay's nights at the special price, or None when none was asked (IN-11, HR-4)."""
    special = request.special_sell_minor
    if special is None:
        return None
    if special <= 0:
        raise InvalidInput(_("A special price must be above zero."), field="special_sell_minor")
    if not request.special_price_reason.strip():
        raise InvalidInput(
            _("Say why this guest gets a special price."), field="special_price_reason"
        )
    if not_lower := [n.night for n in published if special >= n.sell_minor]:
        raise InvalidInput(
            _("A special price must be below the published price; it is not on %(night)s.")
            % {"night": not_lower[0]},
            field="special_sell_minor",
        )
    if any(special < n.net_minor for n in published):
        raise RuleBrokenByInput(
            _("A special price can never be below what we pay the hotel"),
            rule="HR-4",
            field="special_sell_minor",
        )
    return [n.model_copy(update={"sell_minor": special}) for n in published]


async def open_request(
    session: AsyncSession,
    *,
    view: BookingView,
    published: list[BookedNightView],
    request: BookingRequest,
) -> SpecialPriceView:
    """Queue the booking for the pricing desk, in the booking's transaction."""
    values = {
        "booking_id": view.booking_id,
        "booking_ref": view.booking_ref,
        "requested_by": view.agent_username,
        "requested_at": view.committed_at,
        "special_sell_minor": request.special_sell_minor,
        "published": [n.model_dump(mode="json") for n in published],
        "reason": request.special_price_reason.strip(),
        "state": "pending",
        "decided_by": None,
        "decided_at": None,
        "decision_note": "",
    }
    await session.execute(insert(special_price).values(**values))
    return SpecialPriceView.model_validate(values)


async def find(session: AsyncSession, booking_id: uuid.UUID) -> SpecialPriceView | None:
    query = select(*_VIEW_COLUMNS).where(special_price.c.booking_id == booking_id)
    row = (await session.execute(query)).first()
    return SpecialPriceView.model_validate(row._asdict()) if row else None


# --- the pricing desk's queue ----------------------------------------------------------------


async def queue(
    session: AsyncSession, *, state: str = "pending", page: int = 1
) -> SpecialPricePage:
    """Pending requests oldest first (the guest is waiting); decided ones newest first."""
    if state not in STATES:
        raise InvalidInput(
            _("State is one of %(states)s.") % {"states": ", ".join(STATES)}, field="state"
        )
    checked_page(page)  # the OFFSET below stays bounded
    order = (
        special_price.c.requested_at.asc()
        if state == "pending"
        else special_price.c.decided_at.desc()
    )
    query = (
        select(*_WITH_BOOKING)
        .join_from(special_price, booking, booking.c.booking_id == special_price.c.booking_id)
        .where(special_price.c.state == state)
        .order_by(order, special_price.c.booking_ref)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    rows = list(await session.execute(query))
    total = await session.scalar(
        select(func.count()).select_from(special_price).where(special_price.c.state == state)
    )
    return SpecialPricePage(
        items=[_item(row) for row in rows],
        state=state,
        total=int(total or 0),
        page=page,
        page_size=PAGE_SIZE,
    )


def _item(row: AnyRow) -> SpecialPriceItem:
    fields = row._asdict()
    return SpecialPriceItem.model_validate(
        {**fields, "special": SpecialPriceView.model_validate(fields)}
    )


# --- deciding ----------------------------------------------------------------------------------


async def approve(
    session: AsyncSession, *, staff: Staff, booking_ref: str, note: str = ""
) -> BookingView:
    """The booking proceeds: placed (or requested, when on request) and announced."""
    ensure_role(staff, *PRICING_DESK)
    pending = await _pending(session, booking_ref)
    if pending.requested_by == staff.username:
        raise Forbidden(_("You asked for this special price; another person must approve it."))
    if pending.check_in < clock.today():
        raise Conflict(_("Check-in was %(day)s; reject it instead.") % {"day": pending.check_in})
    now = clock.now()
    status = placed.REQUESTED if pending.on_request else placed.PLACED
    await _decide(session, pending, staff, "approved", note.strip(), now)
    # Urgency (IN-4) is judged again: approved on the day of arrival, it is urgent now.
    row = await _set_booking(
        session, pending, status=status, urgent=pending.check_in <= clock.today()
    )
    view = await placed.view_of(session, row, await find(session, pending.booking_id))
    await placed.publish_placed(session, view, placed_at=now)
    await _audit(session, staff, "approve_special_price", pending, status, note)
    return view


async def reject(
    session: AsyncSession, *, staff: Staff, booking_ref: str, note: str
) -> BookingView:
    """The booking is refused at that price and its rooms go back, in one transaction."""
    ensure_role(staff, *PRICING_DESK)
    if not note.strip():
        raise InvalidInput(_("Say why, so the agent can tell the guest."), field="note")
    pending = await _pending(session, booking_ref)
    await _decide(session, pending, staff, "rejected", note.strip(), clock.now())
    row = await _set_booking(session, pending, status=placed.PRICE_REJECTED, urgent=pending.urgent)
    if not pending.on_request:  # an on-request booking never took rooms (HR-2)
        await _release(session, pending)
    view = await placed.view_of(session, row, await find(session, pending.booking_id))
    await _audit(session, staff, "reject_special_price", pending, placed.PRICE_REJECTED, note)
    return view


async def _pending(session: AsyncSession, booking_ref: str) -> AnyRow:
    """The request and its booking, locked: an approval and a rejection racing serialise here,
    and the second finds it decided."""
    query = (
        select(*_WITH_BOOKING)
        .join_from(special_price, booking, booking.c.booking_id == special_price.c.booking_id)
        .where(special_price.c.booking_ref == booking_ref.strip().upper())
        .with_for_update(of=special_price)
    )
    found = (await session.execute(query)).first()
    if found is None:
        raise NotFound(_("No special price asked for booking %(ref)s.") % {"ref": booking_ref})
    if found.state != "pending":
        state = _(STATE_TITLES[found.state]) if found.state in STATE_TITLES else found.state
        raise Conflict(
            _("This special price was already %(state)s by %(who)s.")
            % {"state": state, "who": found.decided_by}
        )
    return found


async def _decide(
    session: AsyncSession, pending: AnyRow, staff: Staff, state: str, note: str, at: datetime
) -> None:
    await session.execute(
        update(special_price)
        .where(special_price.c.booking_id == pending.booking_id)
        .values(state=state, decided_by=staff.username, decided_at=at, decision_note=note)
    )


async def _set_booking(
    session: AsyncSession, pending: AnyRow, *, status: str, urgent: bool
) -> AnyRow:
    changed = await session.execute(
        update(booking)
        .where(booking.c.booking_id == pending.booking_id)
        .values(status=status, urgent=urgent)
        .returning(*booking.c)
    )
    return changed.one()


async def _release(session: AsyncSession, pending: AnyRow) -> None:
    """Give the pending booking's rooms back (IN-11); every night was sold by it, so a night
    that cannot take them back stops the whole rejection (``move_rooms`` raises)."""
    nights = inventory.stay_nights(pending.check_in, pending.check_out)
    await inventory.move_rooms(session, pending.room_type_id, {n: -pending.rooms for n in nights})


async def _audit(
    session: AsyncSession, staff: Staff, action: str, pending: AnyRow, status: str, note: str
) -> None:
    await audit.record(
        session,
        schema=SCHEMA,
        actor=staff,
        action=action,
        entity="booking",
        entity_id=pending.booking_ref,
        before={"status": pending.status, "special_price": "pending"},
        after={"status": status, "note": note.strip(), "requested_by": pending.requested_by},
    )
