"""Mapping telephony agents to staff (issue 15), for an admin.

Metrics hears of no staff changes (there is no staff event), so the admin types or picks the
username and the name to show; every change is in the audit log with before and after.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics.agent_names import NO_AGENT, extension_of
from services.metrics.agents import repository
from services.metrics.agents.schemas import AgentMappingIn, SeenAgent
from services.metrics.settings import SCHEMA
from shared import audit
from shared.auth import SessionStore, Staff
from shared.clock import clock
from shared.errors import InvalidInput
from shared.i18n import _

# How far back the page looks for agents in the log.
SEEN_WITHIN = timedelta(days=90)


async def listing(session: AsyncSession) -> list[SeenAgent]:
    """Every extension seen in the recent log or mapped, unmapped ones first."""
    since = clock.now() - SEEN_WITHIN
    agents: dict[str, SeenAgent] = {}
    for interface, last_seen in await repository.seen_interfaces(session, since=since):
        extension = extension_of(interface)
        if extension in NO_AGENT:
            continue
        agent = agents.setdefault(
            extension, SeenAgent(extension=extension, interfaces=[], last_seen_at=None)
        )
        agent.interfaces.append(interface)
        if agent.last_seen_at is None or last_seen > agent.last_seen_at:
            agent.last_seen_at = last_seen
    for extension, row in (await repository.mappings(session)).items():
        agent = agents.setdefault(
            extension, SeenAgent(extension=extension, interfaces=[], last_seen_at=None)
        )
        agent.staff_username = row["staff_username"]
        agent.display_name = row["display_name"]
        agent.updated_by = row["updated_by"]
    return sorted(agents.values(), key=lambda a: (a.mapped, a.extension))


async def known_usernames(session: AsyncSession, *, directory: SessionStore) -> list[str]:
    """Usernames to pick from: staff who have logged in, and agents of SL-2's bookings."""
    seen = set(await repository.known_usernames(session))
    return sorted(seen.union(await directory.known_usernames()))


async def save(
    session: AsyncSession, *, actor: Staff, data: AgentMappingIn, directory: SessionStore
) -> None:
    """Map an extension to a person, or unmap it when both fields are blank; audited.

    A username picked without a name takes the name the person logs in under, if known.
    """
    extension = extension_of(data.extension)
    username, name = data.staff_username.strip(), data.display_name.strip()
    if username and not name:
        name = (await directory.display_names([username])).get(username, "")
    if extension in NO_AGENT:
        raise InvalidInput(_("Choose an extension from the list."), field="extension")
    if bool(username) != bool(name):
        field = "display_name" if username else "staff_username"
        raise InvalidInput(
            _(
                "Give both the staff username and the name to show (this username has not"
                " logged in yet, so its name is not known), or neither to unmap."
            ),
            field=field,
        )
    before = await repository.mapping(session, extension)
    after: dict[str, Any] | None = None
    if username:
        await repository.upsert(
            session, extension=extension, username=username, display_name=name, actor=actor.username
        )
        after = {"staff_username": username, "display_name": name}
    elif before is not None:
        await repository.remove(session, extension)
    else:
        return  # nothing mapped, nothing asked: no change to record
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="agent_mapped" if after else "agent_unmapped",
        entity="agent_name",
        entity_id=extension,
        before=_plain(before),
        after=after,
    )


def _plain(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"staff_username": row["staff_username"], "display_name": row["display_name"]}
