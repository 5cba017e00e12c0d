"""CS-4: cards applied for online are mailed daily so members hold them within a week.

- ``make_batch``: today's batch (the desk's button or the 09:00 job). Members who joined
  online, have a complete address (address, postcode, city) and were never put in a batch
  enter it. Made again the same day, it **adds the later joiners to the same day's batch**
  (one batch per business day; the letters printed before keep their place, a reprint
  shows them all) — unless today's batch is already marked mailed: then it is refused and
  later joiners go into tomorrow's batch. Nothing to mail: no batch is made.
- ``mark_mailed``: once, audited.
- ``late_members``: online joiners whose card was not in a *mailed* batch two days after
  they joined (``LATE_AFTER_DAYS``), flagged at the top of the desk page.
- ``address_missing``: online joiners not mailed because their address is incomplete.

Desk and job serialise on one advisory lock, so a click racing the job makes one batch.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    DateTime,
    Uuid,
    and_,
    exists,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.members.cards.models import card_batch, card_mailing
from services.members.models import member
from services.members.settings import SCHEMA
from shared import audit
from shared.auth import Staff
from shared.clock import clock
from shared.db import unit_of_work
from shared.errors import Conflict, NotFound
from shared.i18n import N_

LATE_AFTER_DAYS = 2  # CS-4: held within a week: posted by the second day after joining
BATCHES_PER_PAGE = 20
LIST_LIMIT = 500  # late and address-missing lists: more than a week of joiners


@dataclass(frozen=True)
class Batch:
    batch_id: uuid.UUID
    batch_no: int
    business_date: date
    letters: int
    made_by: str
    made_at: datetime
    mailed_by: str | None
    mailed_at: datetime | None


@dataclass(frozen=True)
class Made:
    """What ``make_batch`` did: the day's batch (None: nothing to mail) and how many joined."""

    batch: Batch | None
    added: int


def _complete_address() -> Any:
    return and_(
        func.btrim(member.c.address) != "",
        func.btrim(member.c.postcode) != "",
        func.btrim(member.c.city) != "",
    )


def _never_batched() -> Any:
    return ~exists().where(card_mailing.c.member_id == member.c.member_id)


async def _batch_of_day(session: AsyncSession, day: date, *, lock: bool = False) -> Batch | None:
    query = select(card_batch).where(card_batch.c.business_date == day)
    row = (await session.execute(query.with_for_update() if lock else query)).one_or_none()
    return Batch(**row._mapping) if row else None


async def load(session: AsyncSession, batch_no: int, *, lock: bool = False) -> Batch:
    query = select(card_batch).where(card_batch.c.batch_no == batch_no)
    row = (await session.execute(query.with_for_update() if lock else query)).one_or_none()
    if row is None:
        raise NotFound(N_("No such card batch."))
    return Batch(**row._mapping)


async def make_batch(session: AsyncSession, *, actor: Staff | str) -> Made:
    """Today's batch with every online joiner not yet mailed who has a complete address."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('members:card_batch'))"))
    today, now = clock.today(), clock.now()
    batch = await _batch_of_day(session, today, lock=True)
    if batch is not None and batch.mailed_at is not None:
        raise Conflict(
            N_("Today's batch is already marked mailed; later joiners go into tomorrow's batch.")
        )
    eligible = (
        member.c.joined_via == "online",
        member.c.joined_on <= today,
        _complete_address(),
        _never_batched(),
    )
    waiting = await session.scalar(select(func.count()).select_from(member).where(*eligible))
    if not waiting:
        return Made(batch, 0)
    maker = actor.username if isinstance(actor, Staff) else actor
    if batch is None:
        batch_id = uuid.uuid4()
        await session.execute(
            insert(card_batch).values(
                batch_id=batch_id, business_date=today, letters=0, made_by=maker, made_at=now
            )
        )
    else:
        batch_id = batch.batch_id
    # What is printed is kept: a later address change does not alter a letter already posted.
    added = await session.execute(
        insert(card_mailing)
        .from_select(
            ["member_id", "batch_id", "card_no", "name", "address", "postcode", "city", "added_at"],
            select(
                member.c.member_id,
                literal(batch_id, Uuid),
                member.c.card_no,
                member.c.name,
                func.btrim(member.c.address),
                func.btrim(member.c.postcode),
                func.btrim(member.c.city),
                literal(now, DateTime(timezone=True)),
            ).where(*eligible),
        )
        .returning(card_mailing.c.member_id)
    )
    count = len(added.all())
    await session.execute(
        update(card_batch)
        .where(card_batch.c.batch_id == batch_id)
        .values(letters=card_batch.c.letters + count)
    )
    made = await _batch_of_day(session, today)
    assert made is not None
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="card_batch_made" if batch is None else "card_batch_added",
        entity="card_batch",
        entity_id=batch_id,
        after={"batch_no": made.batch_no, "added": count, "letters": made.letters},
    )
    return Made(made, count)


async def mark_mailed(session: AsyncSession, *, batch_no: int, actor: Staff) -> Batch:
    """The batch went to the post office: once, audited."""
    batch = await load(session, batch_no, lock=True)
    if batch.mailed_at is not None:
        raise Conflict(N_("This batch is already marked mailed."))
    now = clock.now()
    await session.execute(
        update(card_batch)
        .where(card_batch.c.batch_id == batch.batch_id)
        .values(mailed_by=actor.username, mailed_at=now)
    )
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="card_batch_mailed",
        entity="card_batch",
        entity_id=batch.batch_id,
        before={"mailed_at": None},
        after={"batch_no": batch.batch_no, "letters": batch.letters, "mailed_at": now.isoformat()},
    )
    return await load(session, batch_no)


async def batches(session: AsyncSession, *, page: int) -> tuple[list[Batch], int]:
    """Batches, newest first, a page at a time; and how many pages there are."""
    total = await session.scalar(select(func.count()).select_from(card_batch)) or 0
    rows = await session.execute(
        select(card_batch)
        .order_by(card_batch.c.business_date.desc())
        .limit(BATCHES_PER_PAGE)
        .offset((page - 1) * BATCHES_PER_PAGE)
    )
    return [Batch(**row._mapping) for row in rows], max(1, -(-total // BATCHES_PER_PAGE))


async def today_batch(session: AsyncSession) -> Batch | None:
    return await _batch_of_day(session, clock.today())


@dataclass(frozen=True)
class Waiting:
    """An online joiner whose card is not yet posted."""

    member_id: uuid.UUID
    card_no: str
    name: str
    joined_on: date
    batch_no: int | None  # in a batch not yet mailed
    address_complete: bool


async def late_members(session: AsyncSession) -> list[Waiting]:
    """CS-4: online joiners with no mailed batch by ``LATE_AFTER_DAYS`` after joining."""
    mailed = (
        select(card_mailing.c.member_id)
        .join(card_batch, card_batch.c.batch_id == card_mailing.c.batch_id)
        .where(card_batch.c.mailed_at.is_not(None))
    )
    batch_no = (
        select(card_batch.c.batch_no)
        .join(card_mailing, card_mailing.c.batch_id == card_batch.c.batch_id)
        .where(card_mailing.c.member_id == member.c.member_id)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(
            member.c.member_id,
            member.c.card_no,
            member.c.name,
            member.c.joined_on,
            batch_no.label("batch_no"),
            _complete_address().label("address_complete"),
        )
        .where(
            member.c.joined_via == "online",
            member.c.joined_on <= clock.today() - timedelta(days=LATE_AFTER_DAYS),
            member.c.member_id.not_in(mailed),
        )
        .order_by(member.c.joined_on, member.c.card_no)
        .limit(LIST_LIMIT)
    )
    return [Waiting(**row._mapping) for row in rows]


async def address_missing(session: AsyncSession) -> list[Waiting]:
    """Online joiners left out of the mailing until their address is complete."""
    rows = await session.execute(
        select(
            member.c.member_id,
            member.c.card_no,
            member.c.name,
            member.c.joined_on,
            text("NULL::integer AS batch_no"),
            text("false AS address_complete"),
        )
        .where(member.c.joined_via == "online", ~_complete_address(), _never_batched())
        .order_by(member.c.joined_on, member.c.card_no)
        .limit(LIST_LIMIT)
    )
    return [Waiting(**row._mapping) for row in rows]


async def make_today_batch_job(ctx: dict[str, Any]) -> int:
    """Cron, 09:00: today's batch, as if the desk pressed the button (CS-4)."""
    async with unit_of_work(ctx["sessionmaker"]) as session:
        try:
            made = await make_batch(session, actor="cron")
        except Conflict:  # already mailed today: tomorrow's batch takes the rest
            return 0
    return made.added
