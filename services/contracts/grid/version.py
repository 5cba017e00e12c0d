"""The hotel's grid version: two people editing the same hotel's prices, allotments or
restrictions at once must not overwrite each other silently (HR-2).

Every change to the grid takes the hotel's row lock, checks the version the editor saw (when
the editor sent one) and bumps it. The pages always send it; API clients may, and a channel
manager's OTA message (the hotel's own truth) does not.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.models import Hotel
from shared.auth import Staff
from shared.clock import clock
from shared.errors import Conflict, NotFound
from shared.i18n import _


def actor_name(actor: Staff | str) -> str:
    return actor if isinstance(actor, str) else actor.username


async def touch(
    session: AsyncSession, *, hotel_id: uuid.UUID, actor: Staff | str, seen: int | None
) -> int:
    """Record a change to the hotel's grid; returns the new version. Raises ``Conflict`` when
    ``seen`` is given and someone changed the grid after it."""
    hotel = await session.get(Hotel, hotel_id, with_for_update=True)
    if hotel is None:
        raise NotFound(_("No hotel %(id)s.") % {"id": hotel_id}, field="hotel_id")
    if seen is not None and seen != hotel.grid_version:
        changed_at = hotel.grid_changed_at
        when = clock.local(changed_at).strftime("%H:%M:%S") if changed_at else _("just now")
        raise Conflict(
            _(
                "%(who)s changed this hotel's grid at %(when)s, after you opened it; nothing of "
                "yours was saved. Reload to see their change, then save again."
            )
            % {"who": hotel.grid_changed_by or _("Someone"), "when": when},
            field="grid_version",
        )
    hotel.grid_version += 1
    hotel.grid_changed_by = actor_name(actor)
    hotel.grid_changed_at = clock.now()
    await session.flush()
    return hotel.grid_version
