"""The shift handover book (IN-6): notes and unfinished tasks pass to the next shift, whose
people each acknowledge them.

Whatever is written during a shift goes to the shift after it (``shifts.following``). A
handover row is made by the first entry for its receiving shift. Acknowledging is per person
and only once the receiving shift has begun; a task is marked done once (a guarded UPDATE, so
two people clicking at once get one "done" and one "already done"). A handover nobody has
acknowledged ``handover_ack_grace_minutes`` after its shift began is overdue for team leads.
Every change is audited in the same transaction. No other service needs these, so there is
no event.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    exists,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.refs import ensure_booking_exists
from services.intake.bounds import checked_page
from services.intake.handover import shifts
from services.intake.handover.models import handover, handover_ack, handover_entry
from services.intake.handover.schemas import (
    AckView,
    Banner,
    DeskView,
    DoneRequest,
    EntryRequest,
    EntryView,
    HandoverView,
    HistoryPage,
    ShiftView,
)
from services.intake.settings import SCHEMA, IntakeSettings
from shared import audit
from shared.auth import Role, Staff
from shared.clock import clock
from shared.errors import Conflict, NotFound, RuleViolated
from shared.i18n import _

RULE = "IN-6"
HISTORY_PAGE_SIZE = 10


def shift_view(shift: shifts.Shift) -> ShiftView:
    return ShiftView(
        name=shift.name,
        shift_date=shift.shift_date,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
    )


# --- writes --------------------------------------------------------------------------------


async def write_entry(
    session: AsyncSession, *, staff: Staff, settings: IntakeSettings, request: EntryRequest
) -> EntryView:
    """Leave a note or an open task for the shift after the one now running."""
    await ensure_booking_exists(session, request.booking_ref)
    now = clock.now()
    writing = shifts.shift_at(now, settings)
    handover_id = await _handover_for(session, shifts.following(writing, settings), writing, now)
    values: dict[str, Any] = {
        **request.model_dump(),
        "entry_id": uuid.uuid4(),
        "handover_id": handover_id,
        "written_by": staff.username,
        "written_at": now,
        "done_note": "",
    }
    await session.execute(handover_entry.insert().values(**values))
    await audit.record(
        session,
        schema=SCHEMA,
        actor=staff,
        action="write",
        entity="handover_entry",
        entity_id=values["entry_id"],
        after=request.model_dump(mode="json") | {"handover_id": str(handover_id)},
    )
    return EntryView(**values, done_by=None, done_at=None)


async def _handover_for(
    session: AsyncSession, receiving: shifts.Shift, writing: shifts.Shift, now: datetime
) -> uuid.UUID:
    """The receiving shift's handover row, made by the first entry. Two first writers race
    safely: the unique start time lets one insert, and the other's no-op update (rather than
    DO NOTHING, which returns no row) hands back the id already there."""
    statement = insert(handover).values(
        handover_id=uuid.uuid4(),
        shift=receiving.name,
        shift_date=receiving.shift_date,
        starts_at=receiving.starts_at,
        from_shift=writing.name,
        from_starts_at=writing.starts_at,
        created_at=now,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["starts_at"], set_={"starts_at": statement.excluded.starts_at}
    )
    handover_id: uuid.UUID = await session.scalar(statement.returning(handover.c.handover_id))
    return handover_id


async def acknowledge(session: AsyncSession, *, staff: Staff, handover_id: uuid.UUID) -> AckView:
    """This person has read the handover (IN-6); a second acknowledgement changes nothing."""
    row = (
        await session.execute(select(handover).where(handover.c.handover_id == handover_id))
    ).first()
    if row is None:
        raise NotFound(_("No such handover."))
    now = clock.now()
    if row.starts_at > now:
        begins = clock.local(row.starts_at).strftime("%Y-%m-%d %H:%M")
        shift = _(shifts.SHIFT_LABELS.get(row.shift, row.shift))
        raise RuleViolated(
            _("This handover is for the %(shift)s; it can be acknowledged from %(begins)s")
            % {"shift": shift, "begins": begins},
            rule=RULE,
        )
    values = {
        "handover_id": handover_id,
        "username": staff.username,
        "display_name": staff.display_name,
        "acknowledged_at": now,
    }
    inserted = await session.scalar(
        insert(handover_ack)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(handover_ack.c.username)
    )
    if inserted is None:
        return await _ack_of(session, handover_id, staff.username)
    await audit.record(
        session,
        schema=SCHEMA,
        actor=staff,
        action="acknowledge",
        entity="handover",
        entity_id=handover_id,
        after={"acknowledged_at": now.isoformat()},
    )
    return AckView(**values)


async def _ack_of(session: AsyncSession, handover_id: uuid.UUID, username: str) -> AckView:
    row = (
        await session.execute(
            select(handover_ack).where(
                handover_ack.c.handover_id == handover_id, handover_ack.c.username == username
            )
        )
    ).one()
    return AckView.model_validate(row, from_attributes=True)


async def mark_done(
    session: AsyncSession, *, staff: Staff, entry_id: uuid.UUID, request: DoneRequest
) -> EntryView:
    """Mark an open task done, once: who, when and what was done (IN-6)."""
    done = (
        await session.execute(
            update(handover_entry)
            .where(
                handover_entry.c.entry_id == entry_id,
                handover_entry.c.kind == "task",
                handover_entry.c.done_at.is_(None),
            )
            .values(done_by=staff.username, done_at=clock.now(), done_note=request.note)
            .returning(*handover_entry.c)
        )
    ).first()
    if done is None:
        raise await _why_not_done(session, entry_id)
    await audit.record(
        session,
        schema=SCHEMA,
        actor=staff,
        action="done",
        entity="handover_entry",
        entity_id=entry_id,
        before={"done_at": None},
        after={"done_at": done.done_at.isoformat(), "done_note": done.done_note},
    )
    return EntryView.model_validate(done, from_attributes=True)


async def _why_not_done(session: AsyncSession, entry_id: uuid.UUID) -> Exception:
    row = (
        await session.execute(select(handover_entry).where(handover_entry.c.entry_id == entry_id))
    ).first()
    if row is None:
        return NotFound(_("No such handover entry."))
    if row.kind != "task":
        return Conflict(_("This is a note, not a task: there is nothing to mark done."))
    at = clock.local(row.done_at).strftime("%Y-%m-%d %H:%M")
    return Conflict(
        _("This task was already marked done by %(user)s at %(at)s.")
        % {"user": row.done_by, "at": at}
    )


# --- reads ---------------------------------------------------------------------------------


async def desk_view(session: AsyncSession, *, staff: Staff, settings: IntakeSettings) -> DeskView:
    """The handover book as ``staff`` sees it now: incoming, outgoing, open tasks, overdue."""
    now_shift = shifts.current(settings)
    next_shift = shifts.following(now_shift, settings)
    by_start = await _handovers_starting(
        session, settings, [now_shift.starts_at, next_shift.starts_at]
    )
    incoming = by_start.get(now_shift.starts_at)
    is_lead = staff.has_any(frozenset({Role.TEAM_LEAD.value}))
    return DeskView(
        shift=shift_view(now_shift),
        next_shift=shift_view(next_shift),
        incoming=incoming,
        acknowledged_by_me=bool(incoming and incoming.acknowledged_by(staff.username)),
        outgoing=by_start.get(next_shift.starts_at),
        open_tasks=await open_tasks(session),
        overdue=await overdue(session, settings) if is_lead else [],
    )


async def banner(session: AsyncSession, *, staff: Staff, settings: IntakeSettings) -> Banner | None:
    """What the top-of-page banner says to ``staff``, or None when there is nothing to say."""
    return banner_of(await desk_view(session, staff=staff, settings=settings))


def banner_of(view: DeskView) -> Banner | None:
    """The banner for a desk view already read: the handover to this shift until this person
    acknowledges it, and for team leads the count of overdue handovers."""
    incoming = view.incoming if view.incoming and not view.acknowledged_by_me else None
    if incoming is None and not view.overdue:
        return None
    return Banner(
        handover_id=incoming.handover_id if incoming else None,
        from_shift=incoming.from_shift if incoming else "",
        notes=incoming.notes if incoming else 0,
        open_tasks=incoming.open_tasks if incoming else 0,
        overdue_handovers=len(view.overdue),
    )


async def open_tasks(session: AsyncSession, limit: int = 100) -> list[EntryView]:
    """Tasks not done yet from any shift, oldest first: unfinished work carries over."""
    rows = await session.execute(
        select(handover_entry)
        .where(handover_entry.c.kind == "task", handover_entry.c.done_at.is_(None))
        .order_by(handover_entry.c.written_at)
        .limit(limit)
    )
    return [EntryView.model_validate(r, from_attributes=True) for r in rows]


def _overdue_before(settings: IntakeSettings) -> datetime:
    return clock.now() - timedelta(minutes=settings.handover_ack_grace_minutes)


async def overdue(session: AsyncSession, settings: IntakeSettings) -> list[HandoverView]:
    """Handovers nobody acknowledged within the grace after their shift began, oldest first."""
    unacknowledged = ~exists().where(handover_ack.c.handover_id == handover.c.handover_id)
    query = (
        select(handover)
        .where(handover.c.starts_at <= _overdue_before(settings), unacknowledged)
        .order_by(handover.c.starts_at)
        .limit(50)
    )
    return await _views(session, settings, list(await session.execute(query)))


async def history(session: AsyncSession, *, settings: IntakeSettings, page: int) -> HistoryPage:
    """Every handover, newest shift first, a page at a time."""
    total = int(await session.scalar(select(func.count()).select_from(handover)) or 0)
    query = (
        select(handover)
        .order_by(handover.c.starts_at.desc())
        .offset((checked_page(page) - 1) * HISTORY_PAGE_SIZE)
        .limit(HISTORY_PAGE_SIZE)
    )
    items = await _views(session, settings, list(await session.execute(query)))
    return HistoryPage(items=items, page=page, page_size=HISTORY_PAGE_SIZE, total=total)


async def _handovers_starting(
    session: AsyncSession, settings: IntakeSettings, starts: list[datetime]
) -> dict[datetime, HandoverView]:
    rows = list(await session.execute(select(handover).where(handover.c.starts_at.in_(starts))))
    return {view.starts_at: view for view in await _views(session, settings, rows)}


async def _views(
    session: AsyncSession, settings: IntakeSettings, rows: list[Any]
) -> list[HandoverView]:
    """Handover rows with their entries and acknowledgements (two queries, not one per row)."""
    ids = [row.handover_id for row in rows]
    entries: dict[uuid.UUID, list[EntryView]] = {i: [] for i in ids}
    acks: dict[uuid.UUID, list[AckView]] = {i: [] for i in ids}
    for entry in await session.execute(
        select(handover_entry)
        .where(handover_entry.c.handover_id.in_(ids))
        .order_by(handover_entry.c.written_at)
    ):
        entries[entry.handover_id].append(EntryView.model_validate(entry, from_attributes=True))
    for ack in await session.execute(
        select(handover_ack)
        .where(handover_ack.c.handover_id.in_(ids))
        .order_by(handover_ack.c.acknowledged_at)
    ):
        acks[ack.handover_id].append(AckView.model_validate(ack, from_attributes=True))
    late = _overdue_before(settings)
    return [
        HandoverView(
            **row._mapping,
            entries=entries[row.handover_id],
            acks=acks[row.handover_id],
            overdue=not acks[row.handover_id] and row.starts_at <= late,
        )
        for row in rows
    ]
