"""Events the cards package consumes (merged into ``services.members.handlers``)."""

from __future__ import annotations

from shared.events.consumer import Handler

HANDLERS: dict[str, Handler] = {}
