"""The points pages (CS-5):

- ``GET /points/rules``: the points rules per member level and currency, and a form to set
  one (``?level=…&currency=…`` fills it with that rule);
- ``POST /points/rules``: create or change one rule (customer service, the general manager),
  audited. A refused form is shown again with what was typed and why; nothing is written.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.members.points import rules
from services.members.points.access import RULES
from services.members.service import LEVELS
from shared.auth import Staff, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected
from shared.field_errors import FieldErrors, refusal
from shared.i18n import N_
from shared.limits import Code
from shared.web import form_data, render, see_other

router = APIRouter(tags=["members-points"])
RulesStaff = Annotated[Staff, require(*RULES)]
Saved = Annotated[int, Field(ge=0, le=1)]  # ?saved=1 after a change
LEVEL_NAMES: dict[str, str] = {
    "standard": N_("Standard"),
    "silver": N_("Silver"),
    "gold": N_("Gold"),
    "platinum": N_("Platinum"),
}


async def _rules_page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    *,
    values: dict[str, str] | None = None,
    error: str | FieldErrors = "",
    status: int = 200,
    saved: bool = False,
) -> Response:
    return render(
        request.app.state.templates,
        request,
        "points_rules.html",
        staff,
        status_code=status,
        rules=await rules.all_rules(session),
        levels=LEVELS,
        level_names=LEVEL_NAMES,
        home_currency=rules.HOME_CURRENCY,
        values=values or {},
        error=error,
        saved=saved,
    )


async def _prefill(session: AsyncSession, level: str, currency: str) -> dict[str, str]:
    """The form filled with the rule picked from the table (or just its level and currency)."""
    values = {"level": level, "currency": currency.upper()}
    rule = await rules.rule_for(session, level, currency.upper()) if level and currency else None
    if rule is not None:
        values["points_per_unit"] = f"{rule.points_per_unit:.2f}"
        values["points_per_night"] = str(rule.points_per_night)
    return values


@router.get("/points/rules", response_class=HTMLResponse)
async def rules_page(
    request: Request,
    session: DbSession,
    staff: RulesStaff,
    level: Code = "",
    currency: Code = "",
    saved: Saved = 0,
) -> Response:
    """CS-5: the points each level earns per unit of room revenue and per night."""
    values = await _prefill(session, level, currency)
    return await _rules_page(request, session, staff, values=values, saved=bool(saved))


@router.post("/points/rules")
async def set_rule_form(request: Request, session: DbSession, staff: RulesStaff) -> Response:
    """CS-5: set one level's points rule in one currency (audited)."""
    fields = await form_data(request)
    try:
        rule = rules.RuleIn.model_validate(
            {**fields, "currency": fields.get("currency", "").strip().upper()}
        )
        await rules.set_rule(session, staff, rule)
    except (DomainError, ValidationError) as exc:
        error, status = refusal(exc)
        raise FormRejected(
            lambda session: _rules_page(
                request, session, staff, values=fields, error=error, status=status
            )
        ) from exc
    return see_other(request, "/points/rules?saved=1")
