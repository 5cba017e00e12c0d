"""The manager dashboard: today live and history (SL-1 … SL-6).

- ``GET /sla/``: today's page; ``GET /sla/today``: its live part alone, polled every 5 s.
- ``GET /sla/history?interval=hour|day|week|month&from=&to=``: figures per interval with a
  chart; ``/sla/history.csv`` and ``/sla/history.xlsx`` export the same rows.
- ``GET /sla/api/today`` and ``GET /sla/api/history``: the same as JSON.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, Response
from openpyxl import Workbook

from services.metrics import agent_names, dashboard, desk_sla
from services.metrics.auth import DESK_ROLES
from services.metrics.call_figures import IntervalFigures
from services.metrics.desk_sla_endpoints import breach_names
from services.metrics.staffing import service as staffing
from shared.auth import Staff, require
from shared.clock import clock
from shared.db import DbSession
from shared.exports import append_row, csv_writer, xlsx_response
from shared.i18n import N_, _
from shared.limits import BusinessDate
from shared.web import render

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
Interval = Annotated[
    Literal["15min", "hour", "day", "week", "month"],
    Query(description="15min, hour, day, week or month"),
]
# Inside shared.limits' window: year 1 or 9999-12-31 is a 422 naming the field (a readable
# page on the HTML routes), never an overflow in the date arithmetic.
First = Annotated[BusinessDate | None, Query(alias="from", description="first business date")]
Last = Annotated[BusinessDate | None, Query(alias="to", description="last business date")]

# Column titles, translated when a file is written (issue 15).
COLUMNS = (
    ("starts_at", N_("Interval start")),
    ("queue", N_("Queue")),
    ("offered", N_("Offered")),
    ("answered", N_("Answered")),
    ("abandoned", N_("Abandoned")),
    ("timed_out", N_("Timed out")),
    ("exited", N_("Exited")),
    ("answered_within_threshold", N_("Answered within threshold")),
    ("service_level_of_offered", N_("Service level of offered")),
    ("service_level_of_answered", N_("Service level of answered")),
    ("average_speed_of_answer", N_("ASA (s)")),
    ("longest_wait_seconds", N_("Longest wait (s)")),
    ("average_handle_seconds", N_("Average handle time (s)")),
)


def _threshold(request: Request) -> dashboard.Threshold:
    return dashboard.Threshold.of(request.app.state.settings)


@router.get("/", response_class=HTMLResponse)
async def today_page(request: Request, session: DbSession, staff: DeskStaff) -> Response:
    """Today live (SL-1): figures per queue, waiting calls, agents, abandoned calls."""
    today = await dashboard.today(session, _threshold(request), worklist=dashboard.WORKLIST)
    breaches = await desk_sla.breaches(session)
    return render(
        request.app.state.templates, request, "dashboard.html", staff,
        today=today, breaches=breaches, names=await breach_names(request, session, breaches),
    )  # fmt: skip


@router.get("/today", response_class=HTMLResponse)
async def today_fragment(request: Request, session: DbSession, staff: DeskStaff) -> Response:
    """The live part of the page alone, which the page fetches every 5 s."""
    today = await dashboard.today(session, _threshold(request), worklist=dashboard.WORKLIST)
    breaches = await desk_sla.breaches(session)
    return render(
        request.app.state.templates, request, "_today.html", staff,
        today=today, breaches=breaches, names=await breach_names(request, session, breaches),
    )  # fmt: skip


@router.get("/api/today")
async def api_today(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    abandoned_limit: Annotated[int, Query(ge=0, le=dashboard.MAX_WORKLIST)] = dashboard.WORKLIST,
) -> Response:
    """Today's figures as JSON; formulas in ``formulas``; ``abandoned``: the newest
    ``abandoned_limit`` abandoned calls to call back, newest first (entered_at, abandoned_at,
    caller, wait_seconds), of ``abandoned_total`` today."""
    today = await dashboard.today(session, _threshold(request), worklist=0)
    names = await agent_names.load(session)
    body = {
        "day": today.day.isoformat(),
        "as_of": today.as_of.isoformat(),
        **_threshold_json(today.threshold),
        "queues": [_figures_json(row) for row in today.queues],
        "waiting": [asdict(call) for call in today.waiting],
        "agents": [{**asdict(agent), "name": names.name(agent.agent)} for agent in today.agents],
        "agent_figures": [
            {**_agent_json(row), "name": names.name(row.agent or "")} for row in today.agent_figures
        ],
        "abandoned_total": today.abandoned_total,
    }
    # The worklist comes as JSON from PostgreSQL (issue 19: a busy day lists tens of
    # thousands of calls) and is spliced in as the last member.
    worklist = await dashboard.abandoned_json(session, today.day, abandoned_limit)
    encoded = json.dumps(jsonable_encoder(body), ensure_ascii=False)
    return Response(f'{encoded[:-1]}, "abandoned": {worklist}}}', media_type="application/json")


async def _history(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    interval: Interval = "day",
    first: First = None,
    last: Last = None,
) -> dashboard.History:
    """The history the query asks for; every history route takes it (and the desk role)."""
    first, last = dashboard.history_range(interval, first, last)
    return await dashboard.history(session, _threshold(request), interval, first, last)


HistoryAsked = Annotated[dashboard.History, Depends(_history)]


StaffingDay = Annotated[
    BusinessDate | None, Query(alias="day", description="day to staff; the last day by default")
]


@router.get("/history", response_class=HTMLResponse)
async def history_page(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    history: HistoryAsked,
    staffing_day: StaffingDay = None,
) -> Response:
    """Figures per interval with a chart of the service level, and a day's staffing (SL-1)."""
    day = staffing_day or history.last_day
    return render(
        request.app.state.templates,
        request,
        "history.html",
        staff,
        history=history,
        intervals=("15min", "hour", "day", "week", "month"),
        staffing=await staffing.staffing(session, threshold=history.threshold, day=day),
    )


@router.get("/api/history")
async def api_history(request: Request, staff: DeskStaff, history: HistoryAsked) -> dict[str, Any]:
    """Figures per interval and queue as JSON (``queue`` "All queues" for the totals)."""
    return {
        "interval": history.interval,
        "from": history.first_day.isoformat(),
        "to": history.last_day.isoformat(),
        **_threshold_json(history.threshold),
        "rows": [_figures_json(row) for row in history.rows],
    }


@router.get("/history.csv")
async def history_csv(request: Request, staff: DeskStaff, history: HistoryAsked) -> Response:
    """The history's rows as CSV (UTF-8 with BOM, so Excel reads it)."""
    out = io.StringIO()
    writer = csv_writer(out)  # queue names come from telephony: written inert
    writer.writerow([_(title) for _name, title in COLUMNS])
    for row in history.rows:
        writer.writerow(_cells(row))
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_file_name(history)}.csv"'},
    )


@router.get("/history.xlsx")
async def history_xlsx(request: Request, staff: DeskStaff, history: HistoryAsked) -> Response:
    """The history's rows as an Excel workbook."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Service levels")
    append_row(sheet, [_(title) for _name, title in COLUMNS])
    for row in history.rows:
        append_row(sheet, _cells(row))
    return xlsx_response(book, _file_name(history), bold_headers=True)


def _file_name(history: dashboard.History) -> str:
    return f"service-levels-{history.interval}-{history.first_day}-{history.last_day}"


def _cells(row: IntervalFigures) -> list[object]:
    cells: list[object] = []
    for name, _title in COLUMNS:
        value = getattr(row, name)
        if name == "starts_at":
            value = clock.local(value).strftime("%Y-%m-%d %H:%M")
        elif isinstance(value, float):
            value = round(value, 4)
        cells.append(value)
    return cells


def _threshold_json(threshold: dashboard.Threshold) -> dict[str, Any]:
    return {
        "threshold_seconds": threshold.seconds,
        "target": threshold.target,
        "formulas": {
            "threshold": threshold.formula,
            "service_level_of_offered": "answered within threshold / offered",
            "service_level_of_answered": "answered within threshold / answered",
        },
    }


def _agent_json(row: IntervalFigures) -> dict[str, Any]:
    """An agent's day: answered, handle time, occupancy (talk ÷ available)."""
    keys = ("agent", "answered", "average_handle_seconds", "talk_seconds")
    return {**{key: getattr(row, key) for key in keys}, "occupancy": row.occupancy}


def _figures_json(row: IntervalFigures) -> dict[str, Any]:
    body = asdict(row)
    body.pop("abandoned_calls")
    body.pop("agent")
    for key in ("talk_seconds", "available_seconds", "occupancy"):
        body.pop(key)
    return body
