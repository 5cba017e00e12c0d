"""The hotel's word on arrivals (NS-1), however it arrived: a night-audit upload, the desk
typing it after a call, or the hotel's API call. Night-audit input (``source``) validates its
rows first and reports row/field/why; this is the one place that applies them.

- ``stayed`` true: the booking's open case closes as stayed (StayCompletedV1 +
  CaseFinishedV1). A booking with no case yet (its check-in reported before the night audit's
  worklist ran) gets a case that is settled at once, never on the worklist, so its stay
  outcome is published with its version like every other. A case already stayed publishes
  nothing again; a final no-show is left to the desk's correction (NS-3, with a note).
- ``stayed`` false: the hotel says the guest did not come; the case stays for the desk.

Nothing here commits (one commit rule).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.noshow import outcomes
from services.noshow.models import CheckIn, NoShowCase, StayBooking
from shared.clock import clock
from shared.errors import InvalidInput


@dataclass(frozen=True)
class CheckInRow:
    booking_ref: str
    stayed: bool
    nights_stayed: int | None = None


class UnknownBooking(InvalidInput):
    code = "unknown_booking"


async def known_booking_refs(session: AsyncSession, refs: set[str]) -> dict[str, StayBooking]:
    """The bookings we know among ``refs``, by reference."""
    if not refs:
        return {}
    rows = await session.scalars(select(StayBooking).where(StayBooking.booking_ref.in_(refs)))
    return {booking.booking_ref: booking for booking in rows}


async def record_check_ins(
    session: AsyncSession,
    *,
    rows: list[CheckInRow],
    source: str,
    actor: str,
    import_id: uuid.UUID | None = None,
) -> int:
    """Write each row's CheckIn and settle the stays it reports; the number of rows written.
    An unknown booking reference refuses the whole batch (the caller's transaction rolls back)."""
    bookings = await known_booking_refs(session, {row.booking_ref for row in rows})
    for number, row in enumerate(rows, start=1):
        if row.booking_ref not in bookings:
            raise UnknownBooking(
                f"Row {number}: no booking {row.booking_ref!r}.", field="booking_ref"
            )
    now = clock.now()
    for row in rows:
        booking = bookings[row.booking_ref]
        session.add(
            CheckIn(
                booking_id=booking.booking_id,
                business_date=booking.check_in,
                stayed=row.stayed,
                nights_stayed=row.nights_stayed,
                source=source,
                import_id=import_id,
                recorded_by=actor,
                recorded_at=now,
            )
        )
        if row.stayed:
            await _settle_stayed(session, booking, row, actor=actor)
    await session.flush()
    return len(rows)


async def _settle_stayed(
    session: AsyncSession, booking: StayBooking, row: CheckInRow, *, actor: str
) -> None:
    now = clock.now()
    case_id = await session.scalar(
        select(NoShowCase.case_id).where(NoShowCase.booking_id == booking.booking_id)
    )
    if case_id is None:
        case = NoShowCase(
            case_id=uuid.uuid4(),
            booking_id=booking.booking_id,
            business_date=booking.check_in,
            state=outcomes.OPEN,
            opened_at=now,
            due_at=now,
            finished_at=now,
            outcome_version=0,
        )
        session.add(case)
        await outcomes.finish_stayed(
            session,
            case,
            booking,
            actor=actor,
            at=now,
            nights_stayed=row.nights_stayed,
            listed=False,
        )
        await session.flush()
        return
    case, _ = await outcomes.lock_case(session, case_id)
    if case.state in outcomes.UNFINISHED:
        await outcomes.finish_stayed(
            session, case, booking, actor=actor, at=now, nights_stayed=row.nights_stayed
        )
