"""What the agents page reads and writes (issue 15)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel

from shared.limits import Code, Name, Text

# An extension as metrics keeps it: agent_name.extension is varchar(120).
if TYPE_CHECKING:
    Extension = str
else:
    Extension = Text(120, min_length=1)


class AgentMappingIn(BaseModel):
    """An extension and who answers on it; both fields blank removes the mapping."""

    extension: Extension
    staff_username: Code = ""
    display_name: Name = ""


class SeenAgent(BaseModel):
    """One extension seen in the queue_log, with its mapping if any."""

    extension: str
    interfaces: list[str]  # as the log spells them: "PJSIP/801", "Local/801@from-queue/n"
    last_seen_at: datetime | None
    staff_username: str = ""
    display_name: str = ""
    updated_by: str = ""

    @property
    def mapped(self) -> bool:
        return bool(self.staff_username)
