"""PAY-6: the weekly desk summary and the balances by account, as pages, JSON and Excel."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from openpyxl import Workbook

from services.payments.reports import service
from services.payments.reports.access import READERS
from services.payments.reports.metrics import ledger_check
from shared.auth import Staff, require
from shared.db import DbSession
from shared.exports import append_row, xlsx_response
from shared.i18n import _
from shared.limits import BusinessDate
from shared.web import render

router = APIRouter()
Reader = Annotated[Staff, require(*READERS)]
Week = Annotated[BusinessDate | None, Query()]


@router.get("/reports", response_class=HTMLResponse)
async def weekly_page(
    request: Request, session: DbSession, staff: Reader, week: Week = None
) -> Response:
    """The week (Monday to Sunday) holding ``week``, this week by default."""
    summary = await service.weekly_summary(session, week)
    return render(
        request.app.state.templates,
        request,
        "reports_weekly.html",
        staff,
        summary=summary,
        kind_titles=service.KIND_TITLES,
        methods=service.METHODS,
        check=await ledger_check(session),
        previous_week=(summary.first - timedelta(days=7)).isoformat(),
        next_week=summary.following.isoformat(),
    )


@router.get("/api/reports/weekly")
async def weekly_api(session: DbSession, staff: Reader, week: Week = None) -> dict[str, Any]:
    """The same summary as JSON (amounts in minor units)."""
    summary = await service.weekly_summary(session, week)
    body = asdict(summary)
    body["first"], body["following"] = summary.first.isoformat(), summary.following.isoformat()
    return body


@router.get("/reports/weekly.xlsx")
async def weekly_xlsx(session: DbSession, staff: Reader, week: Week = None) -> Response:
    """The summary as a workbook: payments by method, money moved, postings by kind."""
    summary = await service.weekly_summary(session, week)
    book = Workbook()
    payments = book.active
    assert payments is not None
    payments.title = _("Payments taken")
    append_row(payments, [_("Method"), _("Currency"), _("Payments"), _("Amount (minor units)")])
    for row in summary.payments:
        method = _(service.METHODS[row.method])
        append_row(payments, [method, row.currency, row.count, row.amount_minor])
    moved = book.create_sheet(_("Money moved"))
    append_row(moved, [_("What"), _("Currency"), _("Amount (minor units)")])
    for title, amounts in _moved(summary):
        for currency, amount in amounts.items():
            append_row(moved, [title, currency, amount])
    kinds = book.create_sheet(_("Postings by kind"))
    append_row(kinds, [_("Kind"), _("Postings"), _("Currency"), _("Debits (minor units)")])
    for kind in summary.kinds:
        title = _(service.KIND_TITLES.get(kind.kind, kind.kind))
        for currency, amount in kind.volume.items() or {"": 0}.items():
            append_row(kinds, [title, kind.count, currency, amount])
    people = book.create_sheet(_("Postings by person"))
    append_row(people, [_("Posted by"), _("Postings")])
    for who, count in summary.people:
        append_row(people, [who, count])
    return xlsx_response(book, f"payments-week-{summary.first}", bold_headers=True)


def _moved(summary: service.WeeklySummary) -> list[tuple[str, dict[str, int]]]:
    return [
        (_("Cash handed to finance"), summary.cash_handed_over),
        (_("Refunds due"), summary.refunds_due),
        (_("Refunds paid"), summary.refunds_paid),
        (_("Settlements paid"), summary.settlements_paid),
        (_("Settlements collected"), summary.settlements_collected),
    ]


@router.get("/reports/balances", response_class=HTMLResponse)
async def balances_page(
    request: Request,
    session: DbSession,
    staff: Reader,
    on: Annotated[BusinessDate | None, Query()] = None,
) -> Response:
    """Every account with a balance, by kind, read on its normal side."""
    return render(
        request.app.state.templates,
        request,
        "reports_balances.html",
        staff,
        groups=await service.balances_by_account(session, on),
        on=on,
        check=await ledger_check(session),
    )


@router.get("/reports/balances.xlsx")
async def balances_xlsx(
    session: DbSession, staff: Reader, on: Annotated[BusinessDate | None, Query()] = None
) -> Response:
    groups = await service.balances_by_account(session, on)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Balances")
    headers = [_("Account kind"), _("Party"), _("Account"), _("Currency")]
    append_row(sheet, [*headers, _("Balance (minor units)")])
    for group in groups:
        for row in group.rows:
            cells = [_(group.title), row.party, row.account, row.currency, row.shown_minor]
            append_row(sheet, cells)
    return xlsx_response(book, f"payments-balances-{on or 'today'}", bold_headers=True)
