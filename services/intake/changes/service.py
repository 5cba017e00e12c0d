"""Modifications and cancellations of a booking (IN-5).

A change is one transaction: the booking row is locked, its version checked against the one
the agent saw (a stale one is refused, 409: two agents changing one booking cannot overwrite
each other), the booking and its nights rewritten, the history row, the audit row and the
event written, and last the inventory moved - every night whose count changes locked in night
order, then one guarded UPDATE (``changes_repository``), as ``service.place_booking`` does
(IN-4). A night that cannot be taken rolls everything back, naming the night. Rooms are moved
last so the nights stay locked only for that statement and the commit.

What a change may do, and what it checks, is in ``changes_checks``; the record it leaves, in
``changes_history``. Like every service function these never commit: the request dependency
does (or rolls back).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking import service
from services.intake.booking.repository import AnyRow, insert_booking_nights
from services.intake.booking.schemas import BookedNightView
from services.intake.changes import checks as changes_checks
from services.intake.changes import history as changes_history
from services.intake.changes import repository as changes_repository
from services.intake.changes.checks import RULE, Stay, holds_rooms
from services.intake.changes.schemas import (
    CancelRequest,
    ChangedBooking,
    ChangePage,
    ModifyRequest,
)
from services.intake.inventory import rooms as inventory
from services.intake.lookup.keys import search_names
from shared.auth import Staff
from shared.clock import clock
from shared.errors import Conflict, RuleViolated
from shared.i18n import _
from shared.observability import get_logger

log = get_logger("intake.changes")


async def modify_booking(
    session: AsyncSession, *, staff: Staff, booking_ref: str, request: ModifyRequest
) -> ChangedBooking:
    """Change dates, rooms, guests, special requests or arrival time, or change nothing."""
    current = await _locked(session, booking_ref, request.version)
    changed = changes_checks.requested_changes(current, request)
    old = Stay(current.check_in, current.check_out, current.rooms)
    new = Stay(
        changed.get("check_in", old.check_in),
        changed.get("check_out", old.check_out),
        changed.get("rooms", old.rooms),
    )
    deltas = changes_checks.room_deltas(old, new)
    changes_checks.check_new_stay(new, deltas, changed)
    nights, added = await changes_checks.priced_nights(session, current, new)
    taking = sorted({night for night, delta in deltas.items() if delta > 0} | set(added))
    await changes_checks.ensure_can_sell(session, current, new=new, taking=taking, changed=changed)
    values = {**changed, "total_sell_minor": sum(n.sell_minor for n in nights) * new.rooms}
    if "check_in" in changed:
        values["urgent"] = new.check_in == clock.today()  # IN-4: check-in today is urgent
    if current.status == "confirmed":
        # CF-4: the hotel confirmed the booking as it was; the change waits for its own answer.
        values["status"] = "requested" if current.on_request else "placed"
    updated = await _write(session, current, request.version, values)
    released = [night for night in old.nights if night not in set(new.nights)]
    await _rewrite_nights(session, current, nights, added, released)
    before, after = _before_after(current, values, nights, added, released)
    change = await changes_history.record(
        session, staff=staff, booking=updated, kind="modify", reason=request,
        before=before, after=after, changed_at=clock.now(),
    )  # fmt: skip
    await changes_history.announce_modified(session, booking=updated, change=change, nights=nights)
    if holds_rooms(current) and deltas:
        await _move_rooms(session, current.room_type_id, deltas)
    log.info("booking_modified", booking_ref=updated.booking_ref, version=updated.version)
    booking = await service.get_booking(session, booking_ref=updated.booking_ref)
    return ChangedBooking(booking=booking, change=change)


async def cancel_booking(
    session: AsyncSession, *, staff: Staff, booking_ref: str, request: CancelRequest
) -> ChangedBooking:
    """Cancel with a reason: every night's rooms go back to the allotment (IN-5)."""
    current = await _locked(session, booking_ref, request.version)
    if current.check_in < clock.today():
        raise RuleViolated(
            _("The stay of %(ref)s began on %(day)s: shorten it instead of cancelling")
            % {"ref": current.booking_ref, "day": current.check_in},
            rule=RULE,
        )
    updated = await _write(session, current, request.version, {"status": "cancelled"})
    change = await changes_history.record(
        session, staff=staff, booking=updated, kind="cancel", reason=request,
        before={"status": current.status}, after={"status": "cancelled"}, changed_at=clock.now(),
    )  # fmt: skip
    booking = await service.get_booking(session, booking_ref=updated.booking_ref)
    await changes_history.announce_cancelled(
        session, booking=updated, change=change, nights=booking.nights
    )
    if holds_rooms(current):
        stay = Stay(current.check_in, current.check_out, current.rooms)
        await _move_rooms(session, current.room_type_id, {n: -stay.rooms for n in stay.nights})
    log.info("booking_cancelled", booking_ref=updated.booking_ref, version=updated.version)
    return ChangedBooking(booking=booking, change=change)


async def history(
    session: AsyncSession, *, booking_ref: str, page: int = 1, page_size: int = 20
) -> ChangePage:
    booking = await service.get_booking(session, booking_ref=booking_ref)
    return await changes_history.history(session, booking=booking, page=page, page_size=page_size)


async def _locked(session: AsyncSession, booking_ref: str, seen_version: int) -> AnyRow:
    """The booking locked for this change, if it may change and the agent saw its version."""
    ref = booking_ref.strip().upper()
    current = changes_checks.ensure_changeable(
        await changes_repository.lock_booking(session, ref), ref
    )
    if current.version != seen_version:
        raise Conflict(await _stale(session, current, seen_version), field="version")
    return current


async def _stale(session: AsyncSession, current: AnyRow, seen_version: int) -> str:
    last = await changes_repository.last_change(session, current.booking_id)
    if last is None or seen_version > current.version:
        return _(
            "Booking %(ref)s is at version %(version)s, not %(seen)s. Reload it and try again."
        ) % {"ref": current.booking_ref, "version": current.version, "seen": seen_version}
    at = clock.local(last.changed_at).strftime("%Y-%m-%d %H:%M")
    return _(
        "Booking %(ref)s was changed by %(who)s at %(at)s since you loaded it (now version "
        "%(version)s, you saw %(seen)s). Reload it and check the change before making yours."
    ) % {
        "ref": current.booking_ref,
        "who": last.changed_by,
        "at": at,
        "version": current.version,
        "seen": seen_version,
    }


async def _write(
    session: AsyncSession, current: AnyRow, seen_version: int, values: dict[str, Any]
) -> AnyRow:
    if "guest_names" in values:  # issue 15: the booking is found by its new guests' names
        names = search_names(current.booker_name, values["guest_names"])
        values = {**values, "search_names": names}
    updated = await changes_repository.update_booking(
        session, booking_id=current.booking_id, seen_version=seen_version, values=values
    )
    if updated is None:  # the row lock makes this unreachable; the guard stays in SQL anyway
        raise Conflict(
            _("Booking %(ref)s changed meanwhile; reload it.") % {"ref": current.booking_ref}
        )
    return updated


async def _rewrite_nights(
    session: AsyncSession,
    current: AnyRow,
    nights: list[BookedNightView],
    added: list[date],
    released: list[date],
) -> None:
    if released:
        await changes_repository.remove_booking_nights(session, current.booking_id, released)
    if added:
        rows = [
            {"booking_id": current.booking_id, **n.model_dump()} for n in nights if n.night in added
        ]
        await insert_booking_nights(session, rows)


def _before_after(
    current: AnyRow,
    values: dict[str, Any],
    nights: list[BookedNightView],
    added: list[date],
    released: list[date],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only what changed, as JSON; released and new nights with their prices."""
    jsonable = changes_history.jsonable
    keys = [k for k in values if values[k] != changes_checks.current_value(current, k)]
    before = {k: jsonable(changes_checks.current_value(current, k)) for k in keys}
    after = {k: jsonable(values[k]) for k in keys}
    if released:
        before["released_nights"] = [{"night": n.isoformat()} for n in released]
    if added:
        after["new_nights"] = changes_history.night_list([n for n in nights if n.night in added])
    return before, after


async def _move_rooms(session: AsyncSession, room_type_id: Any, deltas: dict[date, int]) -> None:
    """IN-4 / IN-5: lock every moving night in night order, then the guarded shift."""
    await inventory.move_rooms(session, room_type_id, deltas, asked="more asked")
