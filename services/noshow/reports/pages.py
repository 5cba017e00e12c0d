"""The no-show reports' page, JSON and Excel export (issue 16, NS-7)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from openpyxl import Workbook

from services.noshow.auth import DESK_ROLES
from services.noshow.desk import cases
from services.noshow.reports.service import GroupBy, Report, no_show_report
from shared.auth import Role, Staff, require
from shared.clock import clock
from shared.dates import month_range
from shared.db import DbSession
from shared.errors import InvalidInput
from shared.exports import append_row, xlsx_response
from shared.i18n import N_, _
from shared.limits import BusinessDate, MonthText, parse_month
from shared.web import render

router = APIRouter()
# The desk, and the general manager who reads how the hotels and agents do (NS-4, NS-7).
Reader = Annotated[Staff, require(*DESK_ROLES, Role.GENERAL_MANAGER)]
Period = Literal["day", "month"]
GROUPS: dict[str, str] = {"hotel": N_("Hotel"), "agent": N_("Agent"), "client": N_("Client")}


def period_bounds(period: Period, day: date | None, month: str) -> tuple[date, date]:
    """The period asked for: a business day (yesterday by default: the last night audited)
    or a month (this month by default)."""
    if period == "day":
        first = day or clock.today() - timedelta(days=1)
        return first, first + timedelta(days=1)
    try:
        return month_range(parse_month(month) if month else clock.today())
    except ValueError as exc:
        raise InvalidInput(str(exc), field="month") from exc


async def _report(
    session: DbSession, period: Period, day: date | None, month: str, group_by: GroupBy
) -> Report:
    first, following = period_bounds(period, day, month)
    return await no_show_report(session, first=first, following=following, group_by=group_by)


@router.get("/reports", response_class=HTMLResponse)
async def reports_page(
    request: Request,
    session: DbSession,
    staff: Reader,
    period: Period = "day",
    day: Annotated[BusinessDate | None, Query()] = None,
    month: Annotated[MonthText, Query()] = "",
    group_by: GroupBy = "hotel",
) -> Response:
    """The day's or month's no-show rate by hotel, agent or client, and the reasons."""
    report = await _report(session, period, day, month, group_by)
    return render(
        request.app.state.templates,
        request,
        "noshow_reports.html",
        staff,
        report=report,
        period=period,
        day=report.first,
        month=report.first.strftime("%Y-%m"),
        groups=GROUPS,
        reason_titles=cases.REASONS,
        chart=_chart_data(report),
    )


@router.get("/api/reports")
async def reports_api(
    session: DbSession,
    staff: Reader,
    period: Period = "day",
    day: Annotated[BusinessDate | None, Query()] = None,
    month: Annotated[MonthText, Query()] = "",
    group_by: GroupBy = "hotel",
) -> dict[str, Any]:
    """The same report as JSON."""
    report = await _report(session, period, day, month, group_by)
    return {
        "first": report.first.isoformat(),
        "following": report.following.isoformat(),
        "group_by": report.group_by,
        "rows": [{**row.__dict__, "rate": round(row.rate, 4)} for row in report.rows],
        "reasons": [{"category": c, "no_shows": n} for c, n in report.reasons],
    }


@router.get("/reports.xlsx")
async def reports_xlsx(
    session: DbSession,
    staff: Reader,
    period: Period = "day",
    day: Annotated[BusinessDate | None, Query()] = None,
    month: Annotated[MonthText, Query()] = "",
    group_by: GroupBy = "hotel",
) -> Response:
    """The report as an Excel workbook: the rates, then the reasons."""
    report = await _report(session, period, day, month, group_by)
    book = Workbook()
    rates = book.active
    assert rates is not None
    rates.title = _("No-show rate")
    append_row(rates, [_(GROUPS[group_by]), _("Arrivals"), _("No-shows"), _("Final"), _("Rate")])
    for row in report.rows:
        append_row(rates, [row.key, row.arrivals, row.no_shows, row.final, round(row.rate, 4)])
    reasons = book.create_sheet(_("Reasons"))
    append_row(reasons, [_("Reason"), _("No-shows")])
    for category, count in report.reasons:
        append_row(reasons, [category, count])
    name = f"no-shows-{report.group_by}-{report.first}-{report.following - timedelta(days=1)}"
    return xlsx_response(book, name, bold_headers=True)


def _chart_data(report: Report) -> dict[str, Any]:
    return {
        "labels": [row.key or _("individual") for row in report.rows],
        "rates": [round(row.rate * 100, 1) for row in report.rows],
        "texts": {"series": _("No-show rate, per cent")},
    }
