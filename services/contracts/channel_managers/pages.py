"""The channel-manager credentials page and API, for a resources director or an admin (HR-2).

- ``GET /channel-managers``: the credentials (live first) and the form for a new one;
- ``POST /channel-managers``: create; the page shows the secret once (never stored in clear,
  and the answer is marked ``no-store`` so no cache keeps it);
- ``POST /channel-managers/{id}/revoke``: revoke at once;
- ``GET /api/channel-managers``, ``POST /api/channel-managers`` (201 with ``secret``),
  ``POST /api/channel-managers/{id}/revoke``: the same as JSON.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.channel_managers import service as channel_managers
from services.contracts.channel_managers.service import (
    MANAGER_ROLES,
    ChannelManager,
    ChannelManagerIn,
)
from shared.auth import Staff, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected
from shared.field_errors import field_errors
from shared.limits import Uuid
from shared.web import render, see_other

router = APIRouter(tags=["contracts"])
Manager = Annotated[Staff, require(*MANAGER_ROLES)]
NO_STORE = {"cache-control": "no-store"}


class ChannelManagerOut(BaseModel):
    channel_manager_id: uuid.UUID
    name: str
    all_hotels: bool
    hotel_ids: list[uuid.UUID]
    created_by: str
    created_at: datetime
    revoked_by: str | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, manager: ChannelManager) -> ChannelManagerOut:
        return cls.model_validate(manager, from_attributes=True)


class CreatedOut(ChannelManagerOut):
    secret: str  # shown this once: only its hash is kept


async def _page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    *,
    status: int = 200,
    **context: object,
) -> Response:
    managers = await channel_managers.listing(session)
    response = render(
        request.app.state.templates,
        request,
        "channel_managers.html",
        staff,
        status_code=status,
        managers=managers,
        hotel_names=await channel_managers.hotel_names(session, managers),
        values=context.pop("values", {}),
        **context,
    )
    response.headers.update(NO_STORE)
    return response


def _form_input(form: dict[str, str]) -> ChannelManagerIn:
    # Hotel codes may be pasted one per line or separated by commas or spaces.
    codes = [c for c in re.split(r"[\s,;]+", form.get("hotel_ids", "")) if c]
    return ChannelManagerIn.model_validate(
        {"name": form.get("name", ""), "all_hotels": "all_hotels" in form, "hotel_ids": codes}
    )


@router.get("/channel-managers", response_class=HTMLResponse, include_in_schema=False)
async def channel_managers_page(request: Request, session: DbSession, staff: Manager) -> Response:
    """The channel-manager credentials and the form for a new one."""
    return await _page(request, session, staff)


@router.post("/channel-managers", response_class=HTMLResponse, include_in_schema=False)
async def channel_managers_create(request: Request, session: DbSession, staff: Manager) -> Response:
    """Create a credential and show its secret once."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    values = {k: v for k, v in form.items() if k != "csrf_token"}
    try:
        created = await channel_managers.create(session, actor=staff, data=_form_input(form))
    except ValidationError as exc:
        error, status = field_errors(exc), 422
    except DomainError as exc:
        error, status = field_errors(exc), exc.status_code
    else:
        return await _page(request, session, staff, status=201, created=created)
    raise FormRejected(
        lambda session: _page(request, session, staff, status=status, error=error, values=values)
    )


@router.post("/channel-managers/{channel_manager_id}/revoke", include_in_schema=False)
async def channel_managers_revoke(
    request: Request, channel_manager_id: uuid.UUID, session: DbSession, staff: Manager
) -> Response:
    """Revoke a credential: its next message gets 401."""
    await channel_managers.revoke(session, actor=staff, channel_manager_id=channel_manager_id)
    return see_other(request, "/channel-managers")


@router.get("/api/channel-managers")
async def api_channel_managers(session: DbSession, staff: Manager) -> list[ChannelManagerOut]:
    """Every channel-manager credential (never a secret)."""
    return [ChannelManagerOut.of(m) for m in await channel_managers.listing(session)]


@router.post("/api/channel-managers", status_code=201)
async def api_create_channel_manager(
    data: ChannelManagerIn, response: Response, session: DbSession, staff: Manager
) -> CreatedOut:
    """Create a credential; the answer holds its secret, shown this once."""
    created = await channel_managers.create(session, actor=staff, data=data)
    response.headers.update(NO_STORE)
    out = ChannelManagerOut.of(created.channel_manager).model_dump()
    return CreatedOut(**out, secret=created.secret)


@router.post("/api/channel-managers/{channel_manager_id}/revoke")
async def api_revoke_channel_manager(
    channel_manager_id: Uuid, session: DbSession, staff: Manager
) -> ChannelManagerOut:
    """Revoke a credential at once."""
    await channel_managers.revoke(session, actor=staff, channel_manager_id=channel_manager_id)
    manager = await session.get(ChannelManager, channel_manager_id)
    assert manager is not None  # revoke() found it
    return ChannelManagerOut.of(manager)
