"""Telephony agents as people (issue 15): extension → staff member, shared by every page.

Asterisk names a queue member by its interface (``PJSIP/801``, ``SIP/801``) or a Local channel
(``Local/801@from-queue/n``); all of them are extension 801, and one mapping names them all.
Booking figures (SL-2) name staff by username; a username mapped to an extension gets the
same name. Unmapped agents keep their extension, marked as unmapped where shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics.models import agent_name
from shared.auth import SessionStore

# "PJSIP/801", "Local/801@from-queue/n", "Agent/801", or a plain member name: the part after
# the technology and before the context or channel suffix.
_EXTENSION = re.compile(r"^(?:[A-Za-z0-9_]+/)?([^@/;]+)")
NO_AGENT = frozenset({"", "NONE"})


def extension_of(agent: str) -> str:
    """The extension an agent interface stands for ("PJSIP/801" → "801")."""
    agent = agent.strip()
    found = _EXTENSION.match(agent)
    return found.group(1).strip() if found else agent


@dataclass(frozen=True, slots=True)
class Person:
    """How an agent is shown: ``name`` is the staff member's, or the extension when unmapped."""

    name: str
    extension: str
    username: str
    mapped: bool


@dataclass(frozen=True, slots=True)
class AgentNames:
    """The mapping as one request reads it, and the names staff logged in under."""

    by_extension: dict[str, tuple[str, str]]  # extension → (username, display name)
    by_username: dict[str, str] = field(default_factory=dict)  # from the login directory

    def person(self, agent: str) -> Person:
        """A telephony agent ("PJSIP/801") as a person."""
        extension = extension_of(agent)
        found = self.by_extension.get(extension)
        if found is None:
            return Person(extension or agent, extension, "", mapped=False)
        return Person(found[1], extension, found[0], mapped=True)

    def staff(self, username: str) -> Person:
        """A staff username (SL-2 bookings) as a person: the name an extension's mapping or
        the person's login gives, else the username. A username is a person already, so it
        is never marked unmapped."""
        for mapped_username, display in self.by_extension.values():
            if mapped_username == username:
                return Person(display, "", username, mapped=True)
        return Person(self.by_username.get(username, username), "", username, mapped=True)

    def name(self, agent: str) -> str:
        return self.person(agent).name


async def load(
    session: AsyncSession,
    *,
    directory: SessionStore | None = None,
    usernames: Iterable[str] = (),
) -> AgentNames:
    """The mapping; with a ``directory``, also the login names of ``usernames``."""
    rows = await session.execute(
        select(agent_name.c.extension, agent_name.c.staff_username, agent_name.c.display_name)
    )
    mapped = {row.extension: (row.staff_username, row.display_name) for row in rows}
    known = await directory.display_names(usernames) if directory is not None else {}
    return AgentNames(mapped, known)
