"""Rewards and redemption (CS-2): the catalogue, the redemption form, the general manager's
decision (maker-checker), the quarterly purchase and delivery batch.

- ``redeem``: the desk confirmed with the member and fills the form; the points are locked in
  the ledger first (``ledger.lock``: a 409 beyond the member's active points, nothing written),
  then the redemption is inserted, ``submitted``.
- ``approve`` (the general manager, never the maker) spends what the redemption locked;
  ``reject`` (a reason) and ``withdraw`` (the desk, while submitted) release it. Each takes the
  redemption's row lock, so an approve raced against a reject: one wins, the other is a 409.
- Prizes go out once a quarter (CS-2). Our choice: an approved redemption joins the batch of
  the quarter it was approved in (``batch_quarter``), bought and sent at that quarter's end;
  an exception the general manager approves has no quarter and is bought and sent at once.
- ``purchase`` (one, or the whole quarter's batch) and ``deliver`` (posted through the local
  office or picked up there) follow; after delivery the written confirmation is printed
  (``letter``).

Nothing here commits (one commit rule); every change is audited on ``members.audit_log``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.members.models import member
from services.members.points import ledger
from services.members.rewards.models import redemption, reward
from services.members.settings import SCHEMA
from shared.audit import record
from shared.auth import Role, Staff, ensure_role
from shared.clock import clock
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.i18n import N_, _
from shared.limits import Count, Text, Uuid

PAGE_SIZE = 50
STATUSES = {
    "submitted": N_("Awaiting approval"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
    "purchased": N_("Bought"),
    "delivered": N_("Delivered"),
}
DELIVERIES = {
    "post": N_("By post through the local office"),
    "pickup": N_("Picked up at the local office"),
}
RewardCode = Annotated[
    str, StringConstraints(min_length=2, max_length=20, pattern=r"^[A-Z0-9][A-Z0-9-]*$")
]
QUARTER_PATTERN = r"^\d{4}Q[1-4]$"
Quarter = Annotated[str, StringConstraints(max_length=6, pattern=QUARTER_PATTERN)]


def quarter_of(day: date) -> str:
    """'2026Q4': the quarter a day falls in."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quarter: Quarter


class RewardIn(BaseModel):
    """A catalogue entry: a code (capitals, digits, hyphens), its names, its price in points."""

    model_config = ConfigDict(extra="forbid")

    code: RewardCode
    name_zh: Text(60, min_length=1)  # type: ignore[valid-type]
    name_en: Text(100, min_length=1)  # type: ignore[valid-type]
    points: Count(1_000_000)  # type: ignore[valid-type]
    active: bool = True


class RedemptionIn(BaseModel):
    """The redemption form (CS-2). ``office``: the local office posting the prize (``post``,
    to ``address``) or handing it out (``pickup``). ``confirmed``: the desk confirmed it with
    the member. ``exception_reason``: why it cannot wait for the quarterly batch."""

    model_config = ConfigDict(extra="forbid")

    member_id: Uuid
    reward_id: Uuid
    quantity: Count(10) = 1  # type: ignore[valid-type]
    delivery: Literal["post", "pickup"]
    office: Text(60, min_length=1)  # type: ignore[valid-type]
    address: Text(300) = ""  # type: ignore[valid-type]
    confirmed: bool = False
    exception_requested: bool = False
    exception_reason: Text(300) = ""  # type: ignore[valid-type]


class DecisionIn(BaseModel):
    """The general manager's approval; ``exception_approved`` sends it now, not in the batch."""

    model_config = ConfigDict(extra="forbid")

    exception_approved: bool = False
    note: Text(300) = ""  # type: ignore[valid-type]


class RejectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text(300, min_length=1)  # type: ignore[valid-type]


class RewardView(BaseModel):
    reward_id: uuid.UUID
    code: str
    name_zh: str
    name_en: str
    points: int
    active: bool
    updated_by: str
    updated_at: datetime


class RedemptionView(BaseModel):
    """A redemption with the member and the reward as the pages and the letter show them."""

    redemption_id: uuid.UUID
    redemption_no: int
    member_id: uuid.UUID
    member_name: str
    card_no: str
    reward_id: uuid.UUID
    reward_code: str
    reward_zh: str
    reward_en: str
    quantity: int
    points: int
    delivery: str
    office: str
    address: str
    exception_requested: bool
    exception_reason: str
    status: str
    batch_quarter: str | None
    made_by: str
    made_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    purchased_by: str | None
    purchased_at: datetime | None
    delivered_by: str | None
    delivered_at: datetime | None
    version: int


class RedemptionList(BaseModel):
    redemptions: list[RedemptionView]
    total: int
    page: int
    pages: int


def _viewed() -> Any:
    return (
        select(
            redemption,
            member.c.name.label("member_name"),
            member.c.card_no,
            reward.c.code.label("reward_code"),
            reward.c.name_zh.label("reward_zh"),
            reward.c.name_en.label("reward_en"),
        )
        .join(member, member.c.member_id == redemption.c.member_id)
        .join(reward, reward.c.reward_id == redemption.c.reward_id)
    )


async def _views(session: AsyncSession, query: Any) -> list[RedemptionView]:
    rows = await session.execute(query)
    return [RedemptionView.model_validate(dict(r._mapping)) for r in rows]


async def _audit(
    session: AsyncSession, actor: Staff, action: str, entity: str, entity_id: object,
    before: dict[str, Any] | None, after: dict[str, Any],
) -> None:  # fmt: skip
    await record(
        session, schema=SCHEMA, actor=actor, action=action, entity=entity,
        entity_id=entity_id, before=before, after=after,
    )  # fmt: skip


# --- The catalogue ----------------------------------------------------------------------------


async def list_rewards(session: AsyncSession, *, active_only: bool = False) -> list[RewardView]:
    query = select(reward).order_by(reward.c.points, reward.c.code)
    if active_only:
        query = query.where(reward.c.active)
    rows = await session.execute(query)
    return [RewardView.model_validate(dict(r._mapping)) for r in rows]


async def _code_free(session: AsyncSession, code: str, reward_id: uuid.UUID | None) -> None:
    taken = await session.scalar(select(reward.c.reward_id).where(reward.c.code == code))
    if taken is not None and taken != reward_id:
        raise Conflict(_("Another reward has the code %(code)s.") % {"code": code}, field="code")


async def add_reward(session: AsyncSession, *, actor: Staff, data: RewardIn) -> uuid.UUID:
    """A new catalogue entry (customer service)."""
    ensure_role(actor, Role.CUSTOMER_SERVICE)
    await _code_free(session, data.code, None)
    reward_id = uuid.uuid4()
    values = {**data.model_dump(), "updated_by": actor.username, "updated_at": clock.now()}
    await session.execute(insert(reward).values(reward_id=reward_id, **values))
    await _audit(session, actor, "reward_added", "reward", reward_id, None, data.model_dump())
    return reward_id


async def edit_reward(
    session: AsyncSession, *, actor: Staff, reward_id: uuid.UUID, data: RewardIn
) -> None:
    """Change or deactivate a reward; redemptions already made keep the points they locked."""
    ensure_role(actor, Role.CUSTOMER_SERVICE)
    found = (
        await session.execute(
            select(reward).where(reward.c.reward_id == reward_id).with_for_update()
        )
    ).first()
    if found is None:
        raise NotFound(N_("No such reward."))
    await _code_free(session, data.code, reward_id)
    before = {k: found._mapping[k] for k in RewardIn.model_fields}
    values = {**data.model_dump(), "updated_by": actor.username, "updated_at": clock.now()}
    await session.execute(update(reward).where(reward.c.reward_id == reward_id).values(**values))
    await _audit(session, actor, "reward_edited", "reward", reward_id, before, data.model_dump())


# --- Redemptions ------------------------------------------------------------------------------


def _check_form(data: RedemptionIn) -> None:
    """What the form's fields need of each other (CS-2), each refusal beside its field."""
    if not data.confirmed:
        raise InvalidInput(
            N_("Confirm the redemption with the member before sending it."), field="confirmed"
        )
    if data.delivery == "post" and not data.address.strip():
        raise InvalidInput(N_("Enter the address the office posts the prize to."), field="address")
    if data.exception_requested and not data.exception_reason.strip():
        raise InvalidInput(
            N_("Say why the prize cannot wait for the quarterly batch."), field="exception_reason"
        )


async def redeem(session: AsyncSession, *, actor: Staff, data: RedemptionIn) -> uuid.UUID:
    """CS-2: the desk's redemption form; the points are locked until the general manager
    decides. Beyond the member's active points: 409, nothing written."""
    ensure_role(actor, Role.CUSTOMER_SERVICE)
    _check_form(data)
    price = await session.scalar(
        select(reward.c.points).where(reward.c.reward_id == data.reward_id, reward.c.active)
    )
    if price is None:
        raise InvalidInput(N_("Choose a reward from the catalogue."), field="reward_id")
    redemption_id, points = uuid.uuid4(), int(price) * data.quantity
    try:
        await ledger.lock(
            session, member_id=data.member_id, points=points, redemption_id=redemption_id,
            actor=actor, note=_("Redemption form"),
        )  # fmt: skip
    except Conflict as short:  # said beside the reward chosen, the form's field
        raise Conflict(short.detail, field="reward_id") from short
    values = data.model_dump(exclude={"confirmed"})
    if data.delivery == "pickup":
        values["address"] = ""
    if not data.exception_requested:
        values["exception_reason"] = ""
    await session.execute(
        insert(redemption).values(
            redemption_id=redemption_id, points=points, status="submitted", made_by=actor.username,
            made_at=clock.now(), decision_note="", version=1, **values,
        )
    )  # fmt: skip
    await _audit(
        session, actor, "redemption_submitted", "redemption", redemption_id, None,
        {**data.model_dump(mode="json"), "points": points, "status": "submitted"},
    )  # fmt: skip
    return redemption_id


async def get_redemption(session: AsyncSession, redemption_id: uuid.UUID) -> RedemptionView:
    found = await _views(session, _viewed().where(redemption.c.redemption_id == redemption_id))
    if not found:
        raise NotFound(N_("No such redemption."))
    return found[0]


async def _locked(session: AsyncSession, redemption_id: uuid.UUID, *states: str) -> Any:
    """The redemption under its row lock, in one of ``states`` (else 409): of two decisions
    raced, the second waits here and then finds it decided."""
    row = (
        await session.execute(
            select(redemption).where(redemption.c.redemption_id == redemption_id).with_for_update()
        )
    ).first()
    if row is None:
        raise NotFound(N_("No such redemption."))
    if row.status not in states:
        raise Conflict(
            _("This redemption is %(status)s; it cannot be changed that way.")
            % {"status": _(STATUSES[row.status]).lower()}
        )
    return row


async def _change(
    session: AsyncSession, actor: Staff, row: Any, action: str, **values: Any
) -> None:
    await session.execute(
        update(redemption)
        .where(redemption.c.redemption_id == row.redemption_id)
        .values(version=redemption.c.version + 1, **values)
    )
    before = {"status": row.status, "batch_quarter": row.batch_quarter}
    after = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items()}
    await _audit(session, actor, action, "redemption", row.redemption_id, before, after)


async def approve(
    session: AsyncSession, *, actor: Staff, redemption_id: uuid.UUID, data: DecisionIn
) -> None:
    """CS-2: the general manager approves (never the one who filled the form): the locked
    points are spent; the prize joins this quarter's batch, or goes now (an exception)."""
    ensure_role(actor, Role.GENERAL_MANAGER)
    row = await _locked(session, redemption_id, "submitted")
    if row.made_by == actor.username:
        raise Forbidden(N_("You filled this redemption form; another person approves it."))
    if data.exception_approved and not row.exception_requested:
        raise InvalidInput(
            N_("No exception was asked for; it goes in the quarterly batch."),
            field="exception_approved",
        )
    await ledger.spend(session, redemption_id=redemption_id, actor=actor, note=data.note)
    quarter = None if data.exception_approved else quarter_of(clock.today())
    await _change(
        session, actor, row, "redemption_approved", status="approved", batch_quarter=quarter,
        decided_by=actor.username, decided_at=clock.now(), decision_note=data.note,
    )  # fmt: skip


async def reject(
    session: AsyncSession, *, actor: Staff, redemption_id: uuid.UUID, data: RejectionIn
) -> None:
    """CS-2: the general manager rejects with a reason; the locked points go back."""
    ensure_role(actor, Role.GENERAL_MANAGER)
    row = await _locked(session, redemption_id, "submitted")
    if row.made_by == actor.username:
        raise Forbidden(N_("You filled this redemption form; another person decides it."))
    await ledger.release(session, redemption_id=redemption_id, actor=actor, note=data.reason)
    await _change(
        session, actor, row, "redemption_rejected", status="rejected",
        decided_by=actor.username, decided_at=clock.now(), decision_note=data.reason,
    )  # fmt: skip


async def withdraw(session: AsyncSession, *, actor: Staff, redemption_id: uuid.UUID) -> None:
    """The member changed their mind before the decision: the points go back."""
    ensure_role(actor, Role.CUSTOMER_SERVICE)
    row = await _locked(session, redemption_id, "submitted")
    await ledger.release(session, redemption_id=redemption_id, actor=actor, note=_("Withdrawn"))
    await _change(session, actor, row, "redemption_withdrawn", status="withdrawn")


async def purchase(session: AsyncSession, *, actor: Staff, redemption_id: uuid.UUID) -> None:
    """The prize of an approved redemption was bought."""
    ensure_role(actor, Role.CUSTOMER_SERVICE)
    row = await _locked(session, redemption_id, "approved")
    await _change(
        session, actor, row, "redemption_purchased", status="purchased",
        purchased_by=actor.username, purchased_at=clock.now(),
    )  # fmt: skip


async def purchase_batch(session: AsyncSession, *, actor: Staff, quarter: str) -> int:
    """Every approved redemption of ``quarter``'s batch marked bought; how many."""
    ensure_role(actor, Role.CUSTOMER_SERVICE)
    ids = await session.scalars(
        select(redemption.c.redemption_id)
        .where(redemption.c.batch_quarter == quarter, redemption.c.status == "approved")
        .order_by(redemption.c.redemption_no)
    )
    done = 0
    for redemption_id in list(ids):
        await purchase(session, actor=actor, redemption_id=redemption_id)
        done += 1
    return done


async def deliver(session: AsyncSession, *, actor: Staff, redemption_id: uuid.UUID) -> None:
    """The office posted the prize, or the member picked it up: the letter may be printed."""
    ensure_role(actor, Role.CUSTOMER_SERVICE)
    row = await _locked(session, redemption_id, "purchased")
    await _change(
        session, actor, row, "redemption_delivered", status="delivered",
        delivered_by=actor.username, delivered_at=clock.now(),
    )  # fmt: skip


# --- Lists ------------------------------------------------------------------------------------


async def list_redemptions(session: AsyncSession, *, status: str, page: int) -> RedemptionList:
    """Every redemption, newest first, of one status or all."""
    query = _viewed()
    count = select(func.count()).select_from(redemption)
    if status:
        query = query.where(redemption.c.status == status)
        count = count.where(redemption.c.status == status)
    total = int(await session.scalar(count) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    query = query.order_by(redemption.c.redemption_no.desc())
    found = await _views(session, query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return RedemptionList(redemptions=found, total=total, page=page, pages=pages)


async def awaiting_approval(session: AsyncSession) -> list[RedemptionView]:
    query = _viewed().where(redemption.c.status == "submitted")
    return await _views(session, query.order_by(redemption.c.redemption_no))


class Batch(BaseModel):
    """A quarter's batch: its redemptions, how many of each reward to buy (those approved and
    not bought yet), and the approved exceptions to send now."""

    quarter: str
    redemptions: list[RedemptionView]
    to_buy: dict[str, int]
    exceptions: list[RedemptionView]


async def batch(session: AsyncSession, *, quarter: str) -> Batch:
    sent = ("approved", "purchased", "delivered")
    rows = await _views(
        session,
        _viewed()
        .where(redemption.c.batch_quarter == quarter, redemption.c.status.in_(sent))
        .order_by(redemption.c.redemption_no),
    )
    to_buy: dict[str, int] = {}
    for row in rows:
        if row.status == "approved":
            name = f"{row.reward_zh} / {row.reward_en}"
            to_buy[name] = to_buy.get(name, 0) + row.quantity
    exceptions = await _views(
        session,
        _viewed()
        .where(
            redemption.c.batch_quarter.is_(None),
            redemption.c.status.in_(("approved", "purchased")),
        )
        .order_by(redemption.c.redemption_no),
    )
    return Batch(quarter=quarter, redemptions=rows, to_buy=to_buy, exceptions=exceptions)


async def member_for_form(
    session: AsyncSession, member_id: uuid.UUID
) -> tuple[Any, ledger.PointsBalance]:
    """The member the form is for and their points (``active``: what they may redeem)."""
    found = (
        await session.execute(
            select(
                member.c.member_id,
                member.c.name,
                member.c.card_no,
                member.c.level,
                member.c.address,
                member.c.postcode,
                member.c.city,
            ).where(member.c.member_id == member_id)
        )
    ).first()
    if found is None:
        raise NotFound(N_("No such member."))
    return found, await ledger.balance(session, member_id=member_id)
