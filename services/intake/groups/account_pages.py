"""Corporate accounts pages (IN-9): ``/groups/accounts``. The booking desk reads them; team
leads create and change them. A refused form is shown again with what was typed and why."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.auth import DESK_ROLES
from services.intake.groups import accounts as group_accounts
from services.intake.groups.accounts import AccountEdit, AccountIn, AccountView
from shared.auth import Role, Staff, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected, InvalidInput
from shared.field_errors import FieldErrors, field_errors
from shared.i18n import _
from shared.limits import PageNumber, SearchText, Uuid
from shared.money import Money, exponent
from shared.web import form_data, render, see_other

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
LeadStaff = Annotated[Staff, require(Role.TEAM_LEAD)]
_CHECKBOXES = ("monthly_settlement", "active")


def account_data(fields: dict[str, str]) -> dict[str, Any]:
    """Form strings to the API's shape: ticked boxes, the credit limit in major units."""
    data: dict[str, Any] = {**fields, **{box: box in fields for box in _CHECKBOXES}}
    limit = data.pop("credit_limit", "").strip()
    if limit:
        try:
            limit_money = Money.parse(limit, fields.get("currency", "CNY"))
            data["credit_limit_minor"] = limit_money.amount_minor
        except (ValueError, ArithmeticError) as exc:  # 1e40, Infinity: decimal's own
            raise InvalidInput(
                _("Credit limit: enter an amount like 50000.00, not “%(typed)s”.")
                % {"typed": limit},
                field="credit_limit",
            ) from exc
    return data


def account_fields(account: AccountView) -> dict[str, str]:
    fields = {k: str(v) for k, v in account.model_dump(exclude={"credit_limit_minor"}).items()}
    for box in _CHECKBOXES:
        if not getattr(account, box):
            fields.pop(box)
    if account.credit_limit_minor is not None:
        places = exponent(account.currency)
        fields["credit_limit"] = f"{account.credit_limit_minor / 10**places:.{places}f}"
    return fields


def _message(exc: ValidationError | DomainError) -> FieldErrors:
    return field_errors(exc)


def _status(exc: ValidationError | DomainError) -> int:
    return exc.status_code if isinstance(exc, DomainError) else 422


async def _list_page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    *,
    q: str = "",
    page: int = 1,
    fields: dict[str, str] | None = None,
    error: str | FieldErrors = "",
    status: int = 200,
) -> Response:
    found = await group_accounts.list_accounts(session, q=q, page=page)
    return render(
        request.app.state.templates,
        request,
        "group_accounts.html",
        staff,
        status_code=status,
        found=found,
        q=q,
        fields=fields if fields is not None else {"active": "on", "currency": "CNY"},
        can_edit=Role.TEAM_LEAD.value in staff.roles,
        error=error,
    )


@router.get("/groups/accounts", response_class=HTMLResponse)
async def accounts_page(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    q: SearchText = "",
    page: PageNumber = 1,
) -> Response:
    """Corporate accounts and their negotiated terms (IN-9)."""
    return await _list_page(request, session, staff, q=q, page=page)


@router.post("/groups/accounts")
async def create_account_form(request: Request, session: DbSession, staff: LeadStaff) -> Response:
    """Open a corporate account (team leads)."""
    fields = await form_data(request)
    try:
        data = AccountIn.model_validate(account_data(fields))
        created = await group_accounts.create_account(session, actor=staff, data=data)
    except (ValidationError, DomainError) as exc:
        error, status = _message(exc), _status(exc)
        raise FormRejected(
            lambda session: _list_page(
                request, session, staff, fields=fields, error=error, status=status
            )
        ) from exc
    return see_other(request, f"/groups/accounts/{created.account_id}?saved=1")


@router.get("/groups/accounts/{account_id}", response_class=HTMLResponse)
async def account_page(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    account_id: Uuid,
    saved: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    """One corporate account; team leads may change its terms."""
    account = await group_accounts.get_account(session, account_id=account_id)
    return _account_page(request, staff, account, account_fields(account), saved=bool(saved))


@router.post("/groups/accounts/{account_id}")
async def update_account_form(
    request: Request, session: DbSession, staff: LeadStaff, account_id: Uuid
) -> Response:
    """Save an account's terms (team leads)."""
    fields = await form_data(request)
    try:
        data = AccountEdit.model_validate(account_data(fields))
        await group_accounts.update_account(session, actor=staff, account_id=account_id, data=data)
    except (ValidationError, DomainError) as exc:
        error, status = _message(exc), _status(exc)

        async def page(session: AsyncSession) -> Response:
            account = await group_accounts.get_account(session, account_id=account_id)
            return _account_page(request, staff, account, fields, error=error, status=status)

        raise FormRejected(page) from exc
    return see_other(request, f"/groups/accounts/{account_id}?saved=1")


def _account_page(
    request: Request,
    staff: Staff,
    account: AccountView,
    fields: dict[str, str],
    *,
    saved: bool = False,
    error: str | FieldErrors = "",
    status: int = 200,
) -> Response:
    return render(
        request.app.state.templates,
        request,
        "group_account.html",
        staff,
        status_code=status,
        account=account,
        fields=fields,
        can_edit=Role.TEAM_LEAD.value in staff.roles,
        notice=_("Saved.") if saved else "",
        error=error,
    )
