"""Points rules (CS-5: "per currency unit of room revenue and per night, configurable per
level"): what a stay earns, per member level and the booking's currency.

A stay earns ``floor(whole units of room revenue × points_per_unit) + nights × points_per_night``.
Whole units: ¥688.50 of revenue counts as 688 (a part of a yuan earns nothing). Nights are the
nights stayed, not room nights: the member sleeps in one room; other rooms they booked earn
through their revenue. A stay in a currency with no rule (an overseas hotel's, HR-14, not yet
configured) earns only the per-night points of the level's CNY rule, and the lot says so.

Customer service and the general manager edit the rules; every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import case, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.members.points.stays_models import points_rule
from services.members.service import LEVELS
from services.members.settings import SCHEMA
from shared import audit
from shared.auth import Role, Staff, ensure_role
from shared.clock import clock
from shared.i18n import _
from shared.money import exponent

HOME_CURRENCY = "CNY"
EDITORS = (Role.CUSTOMER_SERVICE, Role.GENERAL_MANAGER)
# Bounds a person can type: far above any sane rule, far inside numeric(8, 2) and an integer.
MAX_PER_UNIT = Decimal("1000")
MAX_PER_NIGHT = 100_000

Level = Annotated[str, StringConstraints(pattern="^(" + "|".join(LEVELS) + ")$")]
CurrencyCode = Annotated[str, StringConstraints(min_length=3, max_length=3, pattern="^[A-Z]{3}$")]


class RuleIn(BaseModel):
    """One rule as the form or a caller sets it."""

    model_config = ConfigDict(extra="ignore")

    level: Level
    currency: CurrencyCode
    points_per_unit: Annotated[Decimal, Field(ge=0, le=MAX_PER_UNIT, decimal_places=2)]
    points_per_night: Annotated[int, Field(ge=0, le=MAX_PER_NIGHT)]


class PointsRule(RuleIn):
    updated_by: str
    updated_at: datetime


@dataclass(frozen=True)
class StayPoints:
    """What a stay earns and why (the lot's note)."""

    points: int
    note: str


async def all_rules(session: AsyncSession) -> list[PointsRule]:
    """Every rule: the home currency first, then by currency, levels in their order."""
    level_order = case({level: n for n, level in enumerate(LEVELS)}, value=points_rule.c.level)
    rows = await session.execute(
        select(points_rule).order_by(
            points_rule.c.currency != HOME_CURRENCY, points_rule.c.currency, level_order
        )
    )
    return [PointsRule.model_validate(dict(r._mapping)) for r in rows]


async def rule_for(session: AsyncSession, level: str, currency: str) -> PointsRule | None:
    row = (
        await session.execute(
            select(points_rule).where(
                points_rule.c.level == level, points_rule.c.currency == currency
            )
        )
    ).first()
    return PointsRule.model_validate(dict(row._mapping)) if row else None


async def set_rule(session: AsyncSession, staff: Staff, rule: RuleIn) -> PointsRule:
    """Create or change one level's rule in one currency; audited with before and after."""
    ensure_role(staff, *EDITORS)
    before = await rule_for(session, rule.level, rule.currency)
    values = {
        **rule.model_dump(),
        "updated_by": staff.username,
        "updated_at": clock.now(),
    }
    statement = insert(points_rule).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["level", "currency"],
            set_={name: statement.excluded[name] for name in values},
        )
    )
    await audit.record(
        session,
        schema=SCHEMA,
        actor=staff,
        action="points_rule_set",
        entity="points_rule",
        entity_id=f"{rule.level}:{rule.currency}",
        before=_audited(before) if before else None,
        after=_audited(rule),
    )
    return PointsRule.model_validate(values)


def _audited(rule: RuleIn) -> dict[str, str | int]:
    return {"points_per_unit": str(rule.points_per_unit), "points_per_night": rule.points_per_night}


def _whole_units(revenue_minor: int, currency: str) -> int:
    """Room revenue in whole currency units, rounded down (¥688.50 → 688)."""
    return revenue_minor // 10 ** exponent(currency)


async def stay_points(
    session: AsyncSession, *, level: str, currency: str, revenue_minor: int, nights: int
) -> StayPoints:
    """CS-5: what a stay of ``nights`` with ``revenue_minor`` of room revenue earns."""
    rule = await rule_for(session, level, currency)
    if rule is not None:
        by_revenue = Decimal(_whole_units(revenue_minor, currency)) * rule.points_per_unit
        floored = int(by_revenue.to_integral_value(rounding=ROUND_FLOOR))
        return StayPoints(floored + nights * rule.points_per_night, "")
    home = await rule_for(session, level, HOME_CURRENCY)
    per_night = home.points_per_night if home else 0
    note = _(
        "No points rule for %(currency)s: only the %(level)s level's points per night were earned."
    ) % {"currency": currency, "level": level}
    return StayPoints(nights * per_night, note)
