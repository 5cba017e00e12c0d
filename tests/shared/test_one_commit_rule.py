"""One commit rule: the request's session commits only when the response is a success.

A form shown again raises ``FormRejected``; any 4xx/5xx (raised, or rendered and returned) and any
exception roll back; ``after_commit`` work runs only once the commit is durable, and
``after_rollback`` keeps a refusal's record in a transaction of its own.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared import audit
from shared.auth import Role
from shared.config import Settings
from shared.db import DbSession, after_commit
from shared.errors import Conflict, FormRejected
from shared.web import create_service_app, render
from tests.services.intake.group_support import (
    GROUPS,
    group_body,
    group_hotel,
    new_account,
    room,
    sold,
    written,
)

ROOT = Path(__file__).resolve().parents[2]
COUNT = text("SELECT count(*) FROM intake.audit_log WHERE entity = 'probe'")
KING, TWIN = "Superior King", "Deluxe Twin"


# --- real endpoints that write before they refuse ------------------------------------------


async def test_in9_a_group_form_refused_after_booking_a_room_leaves_nothing_behind(
    login_as, sessionmaker
) -> None:
    hotel = await group_hotel(sessionmaker, king_rooms=5, twin_rooms=1)
    agent = await login_as("ana", Role.AGENT)
    account = await new_account(await login_as("lan", Role.TEAM_LEAD))
    body = group_body(account, hotel, [])
    fields = {k: v for k, v in body.items() if k != "rooms"} | {"action": "place"}

    # The draft and its king room are written before the twins are found sold out.
    page = await agent.post_form(
        "/intake/groups",
        {
            **fields,
            "plan_1": str(hotel.king.rate_plan_id), "guests_1": "A",
            "plan_2": str(hotel.twin.rate_plan_id), "guests_2": "C",
            "plan_3": str(hotel.twin.rate_plan_id), "guests_3": "D",
        },
    )  # fmt: skip

    assert page.status_code == 409, page.text
    assert "Sold out on" in page.text and 'name="plan_1"' in page.text  # the form, again
    assert await written(sessionmaker) == {
        "groups": 0, "rooms": 0, "bookings": 0, "placed_events": 0, "group_audit": 0,
    }  # fmt: skip
    assert await sold(sessionmaker, hotel.king, date.fromisoformat(body["check_in"])) == 0


async def test_in9_a_refused_placement_is_rolled_back_and_its_reason_kept_after(
    login_as, sessionmaker
) -> None:
    hotel = await group_hotel(sessionmaker, king_rooms=5, twin_rooms=1)
    agent = await login_as("ana", Role.AGENT)
    account = await new_account(await login_as("lan", Role.TEAM_LEAD))
    rooms = [room(KING, "A"), room(TWIN, "C"), room(TWIN, "D")]
    draft = (await agent.post_json(GROUPS, group_body(account, hotel, rooms))).json()

    page = await agent.post_form(f"/intake/groups/{draft['group_id']}/place", {})

    assert page.status_code == 409, page.text
    assert "Sold out on" in page.text
    assert await sold(sessionmaker, hotel.king, date.fromisoformat(draft["check_in"])) == 0
    assert (await written(sessionmaker))["bookings"] == 0
    kept = (await agent.get(f"{GROUPS}/{draft['group_id']}")).json()
    assert kept["status"] == "draft" and "Sold out on" in kept["last_refusal"]


# --- the mechanism, on a probe app ---------------------------------------------------------


def _probe_router(enqueued: list[tuple[str, int]]) -> APIRouter:
    """Each route writes one audit row, asks for work after commit, then ends its own way."""
    router = APIRouter()

    async def write(request: Request, session: AsyncSession, action: str) -> None:
        await audit.record(
            session, schema="intake", actor="probe", action=action, entity="probe", entity_id=1
        )

        async def enqueue() -> None:  # records what another connection sees by then
            async with request.app.state.sessionmaker() as other:
                enqueued.append((action, int(await other.scalar(COUNT) or 0)))

        after_commit(session, enqueue)

    @router.post("/probe/ok")
    async def ok(request: Request, session: DbSession) -> dict[str, str]:
        await write(request, session, "ok")
        return {"status": "ok"}

    @router.post("/probe/form")
    async def form(request: Request, session: DbSession) -> Response:
        await write(request, session, "form")
        raise FormRejected(lambda session: _form(request, session, "Pick another night."))

    @router.post("/probe/returned")
    async def returned(request: Request, session: DbSession) -> Response:
        await write(request, session, "returned")
        return await _form(request, session, "Returned, not raised.")

    @router.post("/probe/conflict")
    async def conflict(request: Request, session: DbSession) -> Response:
        await write(request, session, "conflict")
        raise Conflict("Someone else holds it.")

    @router.post("/probe/crash")
    async def crash(request: Request, session: DbSession) -> Response:
        await write(request, session, "crash")
        raise RuntimeError("boom")

    return router


async def _form(request: Request, session: AsyncSession, error: str) -> Response:
    rows = int(await session.scalar(COUNT) or 0)
    templates = request.app.state.templates
    return render(templates, request, "probe_form.html", None, 422, error=error, rows=rows)


@dataclass
class Probe:
    app: FastAPI
    client: httpx.AsyncClient
    enqueued: list[tuple[str, int]] = field(default_factory=list)

    async def rows(self) -> int:
        async with self.app.state.sessionmaker() as session:
            return int(await session.scalar(COUNT) or 0)


@pytest.fixture
async def probe(tmp_path: Path) -> AsyncIterator[Probe]:
    """A fresh service app with only the probe routes (test-only; not in production code)."""
    (tmp_path / "probe_form.html").write_text(
        '<form><p class="error" role="alert">{{ error }}</p><p>rows: {{ rows }}</p></form>'
    )
    enqueued: list[tuple[str, int]] = []
    app = create_service_app(
        service="intake",
        title="probe",
        settings=Settings(),
        routers=[_probe_router(enqueued)],
        templates_dir=tmp_path,
    )
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://probe.test") as client:
            yield Probe(app, client, enqueued)


async def test_a_success_commits_then_runs_after_commit_work(probe: Probe) -> None:
    response = await probe.client.post("/probe/ok")

    assert response.status_code == 200
    assert await probe.rows() == 1
    assert probe.enqueued == [("ok", 1)]  # the work ran after the commit: another connection saw it


async def test_a_raised_form_error_rolls_back_and_renders_the_form_after_the_rollback(
    probe: Probe,
) -> None:
    response = await probe.client.post("/probe/form", headers={"accept": "text/html"})

    assert response.status_code == 422
    assert '<p class="error" role="alert">Pick another night.</p>' in response.text
    assert "rows: 0" in response.text  # built from a fresh session, after the rollback
    assert await probe.rows() == 0
    assert probe.enqueued == []


async def test_a_failure_page_returned_instead_of_raised_still_rolls_back(probe: Probe) -> None:
    response = await probe.client.post("/probe/returned", headers={"accept": "text/html"})

    assert response.status_code == 422 and "Returned, not raised." in response.text
    assert await probe.rows() == 0
    assert probe.enqueued == []


@pytest.mark.parametrize(("path", "status"), [("/probe/conflict", 409), ("/probe/crash", 500)])
async def test_an_error_or_exception_rolls_back_and_skips_after_commit_work(
    probe: Probe, path: str, status: int
) -> None:
    response = await probe.client.post(path)

    assert response.status_code == status
    assert await probe.rows() == 0
    assert probe.enqueued == []


# --- endpoints never commit or roll back themselves ----------------------------------------

_TRANSACTION_CALL = re.compile(r"\.(commit|rollback)\(\s*\)")


def _route_modules() -> list[Path]:
    modules = sorted((ROOT / "services").rglob("*.py"))
    return [
        path
        for path in modules
        if path.stem.endswith(("endpoints", "pages", "api")) or "APIRouter(" in path.read_text()
    ]


def test_no_endpoint_or_page_module_commits_or_rolls_back() -> None:
    modules = _route_modules()
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in modules
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if _TRANSACTION_CALL.search(line)
    ]

    assert len(modules) > 30  # the scan found the route modules
    assert offenders == []
