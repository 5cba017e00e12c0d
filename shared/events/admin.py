"""Each service's events page for admins, included by ``shared.web.create_service_app``.

``/admin/events`` (HTML) and ``/api/admin/events`` (JSON) show this service's unrelayed
outbox, its queued jobs and its dead letters; the POST routes redrive or discard them. Each
service serves its own (``/intake/admin/events``…); the gateway's, at ``/admin/events``,
is the overview: every page lists all services' pages (``app.state.event_pages``, set by
the all-in-one app) and the shell links the gateway's. Text is Chinese first, then English.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Role, Staff, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected
from shared.events import failures, operations
from shared.events.failures import DeadLetter
from shared.pages import render, see_other

Admin = Annotated[Staff, require(Role.ADMIN)]
Limit = Annotated[int, Query(ge=1, le=200)]
# Bounded so a hand-typed offset cannot ask PostgreSQL to skip billions of rows.
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
# Far above the 500 characters a reason may have: a longer one gets the checked message,
# a body beyond this is refused by validation before it is looked at.
ReasonField = Annotated[str, Form(max_length=4000)]
PAGE = "/admin/events"

# Notices after a redirect are chosen by code, so a link cannot put arbitrary text on the page.
NOTICES = {
    "redrive": "已请求重发，转发程序将重新投递 / Redrive asked: the relay delivers it again.",
    "redrive_all": "已请求重发全部失败事件 / Redrive asked for every dead event.",
    "discard": "已丢弃，原因已记入审计日志 / Event discarded; the reason is in the audit log.",
}
STATES = {
    "dead": "失败 / dead",
    "redrive": "等待重发 / redrive asked",
    "redriven": "已重发 / redriven",
}


class DiscardBody(BaseModel):
    reason: str = Field(max_length=4000)


def _letter_json(letter: DeadLetter) -> dict[str, Any]:
    # The envelope stays out: its payload may name guests, and the page does not need it.
    kept = letter.as_json()
    kept.pop("envelope")
    return kept


async def _queued(request: Request, service: str) -> int | None:
    """Jobs in the service's queue; None when Redis does not answer (the page still shows)."""
    try:
        return await operations.queued_jobs(
            request.app.state.redis, service=service, prefix=request.app.state.settings.queue_prefix
        )
    except (RedisError, OSError):
        return None


async def _overview(
    request: Request, session: AsyncSession, service: str, limit: int, offset: int
) -> dict[str, Any]:
    return {
        "service": service,
        "outbox": await operations.outbox_figures(session, schema=service),
        "queued_jobs": await _queued(request, service),
        "dead_total": await operations.dead_letter_count(session, schema=service),
        "letters": await failures.dead_letters(session, schema=service, limit=limit, offset=offset),
        "limit": limit,
        "offset": offset,
    }


async def _page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    service: str,
    *,
    limit: int = 50,
    offset: int = 0,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> HTMLResponse:

    return render(
        request.app.state.templates,
        request,
        "events_admin.html",
        staff,
        status_code=status,
        notice=notice,
        error=error,
        states=STATES,
        event_pages=getattr(request.app.state, "event_pages", {}),
        **await _overview(request, session, service, limit, offset),
    )


def _refused(request: Request, staff: Staff, service: str, exc: DomainError) -> FormRejected:
    """The events page again with why an action was refused; the request rolls back."""
    error, status = exc.detail, exc.status_code
    return FormRejected(
        lambda session: _page(request, session, staff, service, error=error, status=status)
    )


def _back(request: Request, notice: str) -> Response:

    return see_other(request, f"{PAGE}?notice={notice}")


def events_admin_router(service: str) -> APIRouter:
    """The events page and its actions for ``service`` (its schema has the same name)."""
    router = APIRouter(tags=["events"])
    _add_json_routes(router, service)
    _add_page_routes(router, service)
    return router


def _add_json_routes(router: APIRouter, service: str) -> None:
    @router.get("/api/admin/events")
    async def events_json(
        request: Request, session: DbSession, staff: Admin, limit: Limit = 50, offset: Offset = 0
    ) -> dict[str, Any]:
        """This service's outbox, queue and dead letters."""
        overview = await _overview(request, session, service, limit, offset)
        return {
            **overview,
            "outbox": vars(overview["outbox"]),
            "letters": [_letter_json(letter) for letter in overview["letters"]],
        }

    @router.post("/api/admin/events/redrive-all")
    async def redrive_all_json(session: DbSession, staff: Admin) -> dict[str, int]:
        """Redrive every dead event of this service."""
        return {"asked": await operations.redrive_all(session, schema=service, actor=staff)}

    @router.post("/api/admin/events/{event_id}/redrive")
    async def redrive_json(event_id: uuid.UUID, session: DbSession, staff: Admin) -> dict[str, str]:
        """Redrive one dead event (404 if there is none, 409 if it is not dead)."""
        await operations.redrive_one(session, schema=service, event_id=event_id, actor=staff)
        return {"event_id": str(event_id), "state": "redrive"}

    @router.post("/api/admin/events/{event_id}/discard")
    async def discard_json(
        event_id: uuid.UUID, body: DiscardBody, session: DbSession, staff: Admin
    ) -> dict[str, str]:
        """Discard one dead event with a reason (3–500 characters)."""
        await operations.discard_one(
            session, schema=service, event_id=event_id, reason=body.reason, actor=staff
        )
        return {"event_id": str(event_id), "state": "discarded"}


def _add_page_routes(router: APIRouter, service: str) -> None:
    @router.get(PAGE, response_class=HTMLResponse)
    async def events_page(
        request: Request,
        session: DbSession,
        staff: Admin,
        limit: Limit = 50,
        offset: Offset = 0,
        notice: Annotated[str, Query(max_length=40)] = "",
    ) -> Response:
        """This service's events: outbox, queue and dead letters."""
        return await _page(
            request,
            session,
            staff,
            service,
            limit=limit,
            offset=offset,
            notice=NOTICES.get(notice, ""),
        )

    @router.post(f"{PAGE}/redrive-all")
    async def redrive_all_form(request: Request, session: DbSession, staff: Admin) -> Response:
        """Redrive every dead event of this service."""
        await operations.redrive_all(session, schema=service, actor=staff)
        return _back(request, "redrive_all")

    @router.post(PAGE + "/{event_id}/redrive")
    async def redrive_form(
        request: Request, event_id: uuid.UUID, session: DbSession, staff: Admin
    ) -> Response:
        """Redrive one dead event."""
        try:
            await operations.redrive_one(session, schema=service, event_id=event_id, actor=staff)
        except DomainError as exc:  # refused: the page says why
            raise _refused(request, staff, service, exc) from exc
        return _back(request, "redrive")

    @router.post(PAGE + "/{event_id}/discard")
    async def discard_form(
        request: Request,
        event_id: uuid.UUID,
        session: DbSession,
        staff: Admin,
        reason: ReasonField = "",
    ) -> Response:
        """Discard one dead event with a reason."""
        try:
            await operations.discard_one(
                session, schema=service, event_id=event_id, reason=reason, actor=staff
            )
        except DomainError as exc:  # refused: the page says why
            raise _refused(request, staff, service, exc) from exc
        return _back(request, "discard")
