"""The points ledger (CS-5), after Open Loyalty's model: points are pending, active, locked,
spent, expired or reversed, and every change is a move from one bucket to another.

- ``earn``: a new lot, pending until ``final_on`` (the stay can still be corrected) or active
  at once when that day has come; ``source`` names what earned it, once.
- ``activate_due``: pending lots whose day has come become active.
- ``lock`` (a redemption form, CS-2) takes active points from the oldest lots first; ``spend``
  (the general manager approved) and ``release`` (rejected or withdrawn) settle the lock, the
  release giving each lot back what was taken from it.
- ``expire_due``: what is left on lots past their expiry goes to ``expired``, lot by lot.
- ``reverse``: a lot whose stay was corrected or refunded is taken back: pending points, or
  what is left of it active, then (if some was spent already) active points of other lots,
  oldest first; what cannot be taken back is said in the move's note. What a redemption
  still holds of the lot follows when the redemption settles: released, it goes to
  ``reversed`` (not back to a lot no one can spend from); spent, other lots pay for it.

Every function takes the member's row lock first (``SELECT … FOR UPDATE`` on the member), so
two redemptions raced at once see each other's locks: a member never locks more than they
have. Service code never commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.members.models import member
from services.members.points.models import BUCKETS, points_lot, points_move
from shared.auth import Staff
from shared.clock import clock
from shared.errors import Conflict, NotFound
from shared.i18n import _

HISTORY_PAGE = 50


class PointsBalance(BaseModel):
    """A member's points by bucket; ``earned`` is everything ever earned, and it always equals
    the sum of the other six (``adds_up``)."""

    earned: int = 0
    pending: int = 0
    active: int = 0
    locked: int = 0
    spent: int = 0
    expired: int = 0
    reversed: int = 0

    @property
    def adds_up(self) -> bool:
        parts = (self.pending, self.active, self.locked, self.spent, self.expired, self.reversed)
        return self.earned == sum(parts)


class PointsMove(BaseModel):
    move_id: int
    lot_id: uuid.UUID | None
    redemption_id: uuid.UUID | None
    kind: str
    from_bucket: str
    to_bucket: str
    points: int
    at: datetime
    actor: str
    note: str


class PointsHistory(BaseModel):
    moves: list[PointsMove]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class _Taken:
    lot_id: uuid.UUID
    points: int


def _actor_name(actor: Staff | str) -> str:
    return actor if isinstance(actor, str) else actor.username


async def lock_member(session: AsyncSession, member_id: uuid.UUID) -> None:
    """The member's row lock: every change of their points happens under it."""
    found = await session.scalar(
        select(member.c.member_id).where(member.c.member_id == member_id).with_for_update()
    )
    if found is None:
        raise NotFound(_("No member %(id)s.") % {"id": member_id})


async def _move(
    session: AsyncSession,
    *,
    member_id: uuid.UUID,
    kind: str,
    from_bucket: str,
    to_bucket: str,
    points: int,
    actor: Staff | str,
    lot_id: uuid.UUID | None = None,
    redemption_id: uuid.UUID | None = None,
    note: str = "",
) -> None:
    assert from_bucket in BUCKETS and to_bucket in BUCKETS and points > 0
    await session.execute(
        insert(points_move).values(
            member_id=member_id,
            lot_id=lot_id,
            redemption_id=redemption_id,
            kind=kind,
            from_bucket=from_bucket,
            to_bucket=to_bucket,
            points=points,
            at=clock.now(),
            actor=_actor_name(actor),
            note=note,
        )
    )


async def earn(
    session: AsyncSession,
    *,
    member_id: uuid.UUID,
    source: str,
    points: int,
    earned_at: datetime,
    final_on: date,
    expires_on: date,
    actor: Staff | str,
    note: str = "",
) -> uuid.UUID | None:
    """A lot of ``points`` for ``source``; None when that source earned already (a second
    delivery of the same stay earns nothing more)."""
    await lock_member(session, member_id)
    if await session.scalar(select(points_lot.c.lot_id).where(points_lot.c.source == source)):
        return None
    active = final_on <= clock.today()
    lot_id = uuid.uuid4()
    await session.execute(
        insert(points_lot).values(
            lot_id=lot_id,
            member_id=member_id,
            source=source,
            points=points,
            remaining=points if active else 0,
            status="active" if active else "pending",
            earned_at=earned_at,
            final_on=final_on,
            expires_on=expires_on,
            note=note,
        )
    )
    to_bucket = "active" if active else "pending"
    await _move(
        session,
        member_id=member_id,
        kind="earn",
        from_bucket="source",
        to_bucket=to_bucket,
        points=points,
        actor=actor,
        lot_id=lot_id,
        note=note,
    )
    return lot_id


async def activate_due(session: AsyncSession, *, today: date | None = None) -> int:
    """Pending lots whose ``final_on`` has come become active; how many did."""
    day = today or clock.today()
    due = (
        await session.execute(
            select(points_lot.c.lot_id, points_lot.c.member_id)
            .where(points_lot.c.status == "pending", points_lot.c.final_on <= day)
            .order_by(points_lot.c.member_id)
        )
    ).all()
    activated = 0
    for lot_id, member_id in due:
        await lock_member(session, member_id)
        lot = (
            await session.execute(
                update(points_lot)
                .where(points_lot.c.lot_id == lot_id, points_lot.c.status == "pending")
                .values(status="active", remaining=points_lot.c.points)
                .returning(points_lot.c.points)
            )
        ).first()
        if lot is not None:  # a reversal in between took it
            await _move(
                session,
                member_id=member_id,
                kind="activate",
                from_bucket="pending",
                to_bucket="active",
                points=lot.points,
                actor="system",
                lot_id=lot_id,
            )
            activated += 1
    return activated


async def _take_oldest(
    session: AsyncSession, member_id: uuid.UUID, points: int, *, exclude: uuid.UUID | None = None
) -> list[_Taken]:
    """Take up to ``points`` from the member's active lots, oldest expiry first."""
    query = (
        select(points_lot.c.lot_id, points_lot.c.remaining)
        .where(
            points_lot.c.member_id == member_id,
            points_lot.c.status == "active",
            points_lot.c.remaining > 0,
        )
        .order_by(points_lot.c.expires_on, points_lot.c.earned_at, points_lot.c.lot_id)
    )
    if exclude is not None:
        query = query.where(points_lot.c.lot_id != exclude)
    taken: list[_Taken] = []
    for lot_id, remaining in (await session.execute(query)).all():
        if points <= 0:
            break
        part = min(points, remaining)
        await session.execute(
            update(points_lot)
            .where(points_lot.c.lot_id == lot_id)
            .values(remaining=points_lot.c.remaining - part)
        )
        taken.append(_Taken(lot_id, part))
        points -= part
    return taken


async def lock(
    session: AsyncSession,
    *,
    member_id: uuid.UUID,
    points: int,
    redemption_id: uuid.UUID,
    actor: Staff | str,
    note: str = "",
) -> None:
    """CS-2: hold ``points`` for a redemption; refused (409, nothing held) beyond the member's
    active points."""
    await lock_member(session, member_id)
    available = (await balance(session, member_id=member_id)).active
    if points > available:
        raise Conflict(
            _("The member has %(available)s points to redeem; this reward needs %(points)s.")
            % {"available": available, "points": points},
            field="points",
        )
    taken = await _take_oldest(session, member_id, points)
    # The active bucket is the sum of the active lots' ``remaining``; if they ever disagree,
    # refuse rather than hold less than the form says.
    assert sum(t.points for t in taken) == points, "points_lot.remaining out of step"
    for part in taken:
        await _move(
            session,
            member_id=member_id,
            kind="lock",
            from_bucket="active",
            to_bucket="locked",
            points=part.points,
            actor=actor,
            lot_id=part.lot_id,
            redemption_id=redemption_id,
            note=note,
        )


async def _held(session: AsyncSession, redemption_id: uuid.UUID) -> list[Any]:
    """Per lot, what the redemption still holds (locked minus spent and released)."""
    sign = case((points_move.c.to_bucket == "locked", 1), else_=-1)
    rows = await session.execute(
        select(points_move.c.member_id, points_move.c.lot_id, func.sum(sign * points_move.c.points))
        .where(
            points_move.c.redemption_id == redemption_id,
            (points_move.c.to_bucket == "locked") | (points_move.c.from_bucket == "locked"),
        )
        .group_by(points_move.c.member_id, points_move.c.lot_id)
        .order_by(points_move.c.lot_id)
    )
    return [r for r in rows.all() if r[2] > 0]


async def _settle(
    session: AsyncSession, redemption_id: uuid.UUID, to_bucket: str, actor: Staff | str, note: str
) -> int:
    held = await _held(session, redemption_id)
    if not held:
        return 0
    await lock_member(session, held[0].member_id)
    held = await _held(session, redemption_id)  # again, under the lock
    for member_id, lot_id, points in held:
        part = _Held(member_id, lot_id, int(points), redemption_id)
        if to_bucket == "spent":
            await _spend_part(session, part, actor, note)
        else:
            await _release_part(session, part, actor, note)
    return sum(int(points) for _member, _lot, points in held)


@dataclass(frozen=True)
class _Held:
    """What one redemption holds of one lot."""

    member_id: uuid.UUID
    lot_id: uuid.UUID
    points: int
    redemption_id: uuid.UUID


async def _lot_reversed(session: AsyncSession, lot_id: uuid.UUID) -> bool:
    status = await session.scalar(select(points_lot.c.status).where(points_lot.c.lot_id == lot_id))
    return status == "reversed"


async def _spend_part(session: AsyncSession, part: _Held, actor: Staff | str, note: str) -> None:
    await _move(
        session,
        member_id=part.member_id,
        lot_id=part.lot_id,
        actor=actor,
        kind="spend",
        from_bucket="locked",
        to_bucket="spent",
        points=part.points,
        redemption_id=part.redemption_id,
        note=note,
    )
    if await _lot_reversed(session, part.lot_id):
        # The lot was taken back while this redemption held part of it; now that the part is
        # spent, the member's other points pay for it, as ``reverse`` does for spent points.
        why = _("The redemption spent points of a lot that was taken back.")
        await _take_back(session, part.member_id, part.points, exclude=part.lot_id,
                         actor=actor, note=why)  # fmt: skip


async def _release_part(session: AsyncSession, part: _Held, actor: Staff | str, note: str) -> None:
    if await _lot_reversed(session, part.lot_id):
        # The lot was taken back meanwhile: what the redemption held of it is reversed too,
        # never active again on a lot no one can spend from.
        await _move(
            session,
            member_id=part.member_id,
            lot_id=part.lot_id,
            actor=actor,
            kind="reverse",
            from_bucket="locked",
            to_bucket="reversed",
            points=part.points,
            redemption_id=part.redemption_id,
            note=note,
        )
        return
    await session.execute(
        update(points_lot)
        .where(points_lot.c.lot_id == part.lot_id)
        .values(remaining=points_lot.c.remaining + part.points)
    )
    await _move(
        session,
        member_id=part.member_id,
        lot_id=part.lot_id,
        actor=actor,
        kind="release",
        from_bucket="locked",
        to_bucket="active",
        points=part.points,
        redemption_id=part.redemption_id,
        note=note,
    )


async def spend(
    session: AsyncSession, *, redemption_id: uuid.UUID, actor: Staff | str, note: str = ""
) -> int:
    """The redemption was approved: what it holds is spent. Returns the points spent."""
    return await _settle(session, redemption_id, "spent", actor, note)


async def release(
    session: AsyncSession, *, redemption_id: uuid.UUID, actor: Staff | str, note: str = ""
) -> int:
    """The redemption was rejected or withdrawn: what it holds goes back to the lots it came
    from. Returns the points released."""
    return await _settle(session, redemption_id, "active", actor, note)


async def expire_due(session: AsyncSession, *, today: date | None = None) -> int:
    """Lots past ``expires_on`` give up what is left on them; how many points expired."""
    day = today or clock.today()
    due = (
        await session.execute(
            select(points_lot.c.lot_id, points_lot.c.member_id)
            .where(
                points_lot.c.status == "active",
                points_lot.c.remaining > 0,
                points_lot.c.expires_on <= day,
            )
            .order_by(points_lot.c.member_id, points_lot.c.expires_on)
        )
    ).all()
    expired = 0
    for lot_id, member_id in due:
        await lock_member(session, member_id)
        left = await session.scalar(
            select(points_lot.c.remaining)
            .where(points_lot.c.lot_id == lot_id, points_lot.c.status == "active")
            .with_for_update()
        )
        if left:
            await session.execute(
                update(points_lot).where(points_lot.c.lot_id == lot_id).values(remaining=0)
            )
            await _move(
                session,
                member_id=member_id,
                kind="expire",
                from_bucket="active",
                to_bucket="expired",
                points=int(left),
                actor="system",
                lot_id=lot_id,
            )
            expired += int(left)
    return expired


async def _take_back(
    session: AsyncSession,
    member_id: uuid.UUID,
    points: int,
    *,
    exclude: uuid.UUID,
    actor: Staff | str,
    note: str,
) -> int:
    """Reverse up to ``points`` of the member's other active points, oldest first: a taken-back
    lot's points were spent already. Returns what could be taken."""
    if points <= 0:
        return 0
    taken = await _take_oldest(session, member_id, points, exclude=exclude)
    got = sum(t.points for t in taken)
    if got < points:
        note = (note + " " if note else "") + _(
            "%(n)s points of it were spent already and could not be taken back."
        ) % {"n": points - got}
    for part in taken:
        await _move(
            session, member_id=member_id, kind="reverse", from_bucket="active",
            to_bucket="reversed", points=part.points, actor=actor, lot_id=part.lot_id, note=note,
        )  # fmt: skip
    return got


async def _spent_from(session: AsyncSession, lot_id: uuid.UUID) -> int:
    spent = await session.scalar(
        select(func.coalesce(func.sum(points_move.c.points), 0)).where(
            points_move.c.lot_id == lot_id, points_move.c.to_bucket == "spent"
        )
    )
    return int(spent or 0)


async def reverse(session: AsyncSession, *, source: str, actor: Staff | str, note: str = "") -> int:
    """Take back the lot ``source`` earned (a correction or a refund). Returns the points
    taken back now; 0 when there is no such lot or it was reversed already.

    Pending: all of it. Active: what is left of it, and as much again of the member's other
    active points as was spent from it. What a redemption still holds of it is settled when
    the redemption is (``_spend_part``, ``_release_part``); what expired stays expired."""
    lot = (await session.execute(select(points_lot).where(points_lot.c.source == source))).first()
    if lot is None or lot.status == "reversed":
        return 0
    await lock_member(session, lot.member_id)
    lot = (
        await session.execute(
            select(points_lot).where(points_lot.c.lot_id == lot.lot_id).with_for_update()
        )
    ).one()
    if lot.status == "reversed":
        return 0
    await session.execute(
        update(points_lot)
        .where(points_lot.c.lot_id == lot.lot_id)
        .values(status="reversed", remaining=0)
    )
    base = {"member_id": lot.member_id, "kind": "reverse", "to_bucket": "reversed"}
    if lot.status == "pending":
        await _move(
            session, **base, from_bucket="pending", points=lot.points, actor=actor,
            lot_id=lot.lot_id, note=note,
        )  # fmt: skip
        return int(lot.points)
    if lot.remaining:
        await _move(
            session, **base, from_bucket="active", points=lot.remaining, actor=actor,
            lot_id=lot.lot_id, note=note,
        )  # fmt: skip
    spent = await _spent_from(session, lot.lot_id)
    return int(lot.remaining) + await _take_back(
        session, lot.member_id, spent, exclude=lot.lot_id, actor=actor, note=note
    )


async def balance(session: AsyncSession, *, member_id: uuid.UUID) -> PointsBalance:
    """The member's buckets, summed from the moves."""
    rows = await session.execute(
        select(points_move.c.from_bucket, points_move.c.to_bucket, func.sum(points_move.c.points))
        .where(points_move.c.member_id == member_id)
        .group_by(points_move.c.from_bucket, points_move.c.to_bucket)
    )
    buckets = dict.fromkeys(BUCKETS, 0)
    for from_bucket, to_bucket, points in rows.all():
        buckets[from_bucket] -= int(points)
        buckets[to_bucket] += int(points)
    earned = -buckets.pop("source")
    return PointsBalance(earned=earned, **buckets)


async def history(session: AsyncSession, *, member_id: uuid.UUID, page: int = 1) -> PointsHistory:
    """The member's moves, newest first (CS-1: the inquiry screen's points history)."""
    query = select(points_move).where(points_move.c.member_id == member_id)
    total = int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    pages = max(1, -(-total // HISTORY_PAGE))
    page = min(max(page, 1), pages)
    rows = await session.execute(
        query.order_by(points_move.c.move_id.desc())
        .limit(HISTORY_PAGE)
        .offset((page - 1) * HISTORY_PAGE)
    )
    moves = [PointsMove.model_validate(r._mapping, from_attributes=False) for r in rows]
    return PointsHistory(moves=moves, total=total, page=page, pages=pages)
