"""Corporate accounts of group clients (IN-9), kept by team leads.

An account holds the company, its booking contact, the negotiated terms as text, a negotiated
discount, whether it settles monthly (its group bookings are then paid "corporate monthly",
PAY-4) and, for those, a credit limit. The discount is a term of the account's statement:
bookings keep the hotel's contracted sell price, so the order sheet, the hotel's net price and
the margin rule (HR-4) are untouched, and the monthly settlement (payments, not built yet)
applies the discount to the statement. Special prices on single bookings need the pricing
desk (IN-11); fixed per-hotel rates for an account are not modelled yet.

Every change is audited; edits carry the ``version_no`` read (a stale one is refused, 409).
No other service needs accounts today, so no event is published.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.repository import AnyRow
from services.intake.bounds import Percent, SeenVersion
from services.intake.groups.models import group_account
from services.intake.settings import SCHEMA
from shared import audit
from shared.auth import Staff
from shared.clock import clock
from shared.errors import Conflict, InvalidInput, NotFound
from shared.i18n import _
from shared.limits import MONEY_HARD_MAX_MINOR
from shared.phones import is_phone

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PAGE_SIZE = 50


class AccountIn(BaseModel):
    """A corporate account as a team lead types it (IN-9); money in minor units."""

    model_config = ConfigDict(str_strip_whitespace=True)

    company_name: str = Field(min_length=1, max_length=200)
    contact_name: str = Field(min_length=1, max_length=120)
    phone: str = Field(max_length=40)
    email: str = Field("", max_length=200)
    terms: str = Field("", max_length=2000)
    discount_percent: Percent = Decimal(0)
    monthly_settlement: bool = False
    # A credit limit is not a price: the money ceiling of single bookings does not apply, the
    # hard maximum does (what the bigint column and the credit check's sums hold).
    credit_limit_minor: int | None = Field(None, ge=0, le=MONEY_HARD_MAX_MINOR)
    currency: str = Field("CNY", max_length=3, pattern=r"^[A-Z]{3}$")
    active: bool = True

    @field_validator("phone")
    @classmethod
    def _phone(cls, phone: str) -> str:
        if not is_phone(phone):
            raise ValueError(_("enter the contact's phone number (7 to 20 digits)"))
        return phone

    @field_validator("email")
    @classmethod
    def _email(cls, email: str) -> str:
        if email and not _EMAIL.match(email):
            raise ValueError(_("“%(email)s” is not an email address") % {"email": email})
        return email


class AccountEdit(AccountIn):
    version_no: SeenVersion


class AccountView(AccountIn):
    account_id: uuid.UUID
    version_no: int
    created_at: datetime
    updated_at: datetime


class AccountPage(BaseModel):
    accounts: list[AccountView]
    total: int
    page: int
    pages: int


def view(row: AnyRow) -> AccountView:
    return AccountView.model_validate(dict(row._mapping))


async def get_account(session: AsyncSession, *, account_id: uuid.UUID) -> AccountView:
    query = select(group_account).where(group_account.c.account_id == account_id)
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound(_("No corporate account %(id)s.") % {"id": account_id})
    return view(row)


async def list_accounts(
    session: AsyncSession, *, q: str = "", page: int = 1, active_only: bool = False
) -> AccountPage:
    query = select(group_account)
    if q.strip():
        query = query.where(group_account.c.company_name.ilike(f"%{q.strip()}%"))
    if active_only:
        query = query.where(group_account.c.active)
    total = int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = await session.execute(
        query.order_by(func.lower(group_account.c.company_name))
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return AccountPage(accounts=[view(r) for r in rows], total=total, page=page, pages=pages)


async def _ensure_name_free(
    session: AsyncSession, name: str, account_id: uuid.UUID | None = None
) -> None:
    query = select(group_account.c.account_id).where(
        func.lower(group_account.c.company_name) == name.lower()
    )
    if account_id is not None:
        query = query.where(group_account.c.account_id != account_id)
    if await session.scalar(query) is not None:
        message = _("There is already an account for %(name)s.") % {"name": name}
        raise Conflict(message, field="company_name")


def _checked_terms(data: AccountIn) -> None:
    if data.credit_limit_minor is not None and not data.monthly_settlement:
        # Only monthly accounts are billed later; the others pay each booking as it goes.
        raise InvalidInput(
            _("A credit limit applies to monthly-settlement accounts only."),
            field="credit_limit_minor",
        )


async def create_account(session: AsyncSession, *, actor: Staff, data: AccountIn) -> AccountView:
    _checked_terms(data)
    await _ensure_name_free(session, data.company_name)
    now = clock.now()
    values = {**data.model_dump(), "account_id": uuid.uuid4(), "version_no": 1}
    values |= {"created_at": now, "updated_at": now}
    row = (
        await session.execute(insert(group_account).values(**values).returning(group_account))
    ).one()
    created = view(row)
    await _audit(session, actor, "create", None, created)
    return created


async def update_account(
    session: AsyncSession, *, actor: Staff, account_id: uuid.UUID, data: AccountEdit
) -> AccountView:
    _checked_terms(data)
    before = await get_account(session, account_id=account_id)
    await _ensure_name_free(session, data.company_name, account_id)
    row = (
        await session.execute(
            update(group_account)
            .where(
                group_account.c.account_id == account_id,
                group_account.c.version_no == data.version_no,
            )
            .values(
                **data.model_dump(exclude={"version_no"}),
                version_no=group_account.c.version_no + 1,
                updated_at=clock.now(),
            )
            .returning(group_account)
        )
    ).first()
    if row is None:
        raise Conflict(
            _(
                "The account of %(company)s was changed by someone else since you opened it; "
                "reload it and make your change again."
            )
            % {"company": before.company_name},
            field="version_no",
        )
    after = view(row)
    await _audit(session, actor, "update", before, after)
    return after


async def _audit(
    session: AsyncSession,
    actor: Staff,
    action: str,
    before: AccountView | None,
    after: AccountView,
) -> None:
    def dump(account: AccountView) -> dict[str, Any]:
        return account.model_dump(mode="json", exclude={"created_at", "updated_at"})

    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action=action,
        entity="group_account",
        entity_id=after.account_id,
        before=dump(before) if before else None,
        after=dump(after),
    )
