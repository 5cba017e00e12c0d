"""Published event schemas: the contract between services.

An event travels as an :class:`Envelope` (id, name, version, occurred-at, source, payload,
and for events that update a projection the aggregate it belongs to with that aggregate's
version). Each payload is a versioned pydantic model registered with :func:`event`. Adding a
field is compatible; changing a field's meaning is a new version.

Ordering: projections never decide what wins by ``occurred_at`` (clocks of two hosts
disagree). A payload names its aggregate (``aggregate_key``); the publisher numbers the
aggregate's events in the same transaction as the change, either with a counter it already
keeps (``own_aggregate_version``: the booking's version, the member's ``version_no``) or
with the outbox's per-aggregate counter (``shared.events.outbox``). A projection applies an
update only when that number is higher than the one it holds.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, Field


class Payload(BaseModel):
    name: ClassVar[str]
    version: ClassVar[int]

    def aggregate_key(self) -> str | None:
        """The aggregate whose version orders this event (``hotel:<id>``); None: unordered."""
        return None

    def own_aggregate_version(self) -> int | None:
        """The publisher's own counter for the aggregate, when it keeps one; None: the
        outbox numbers the aggregate's events itself."""
        return None


class Envelope(BaseModel):
    event_id: uuid.UUID
    name: str
    version: int
    occurred_at: datetime
    source: str
    payload: dict[str, Any]
    aggregate: str | None = None
    aggregate_version: int | None = None

    def parse(self) -> Payload:
        return EVENT_TYPES[(self.name, self.version)].model_validate(self.payload)


EVENT_TYPES: dict[tuple[str, int], type[Payload]] = {}
P = TypeVar("P", bound=Payload)


def event(cls: type[P]) -> type[P]:
    EVENT_TYPES[(cls.name, cls.version)] = cls
    return cls


def envelope_for(
    payload: Payload,
    *,
    source: str,
    occurred_at: datetime,
    aggregate_version: int | None = None,
) -> Envelope:
    return Envelope(
        event_id=uuid.uuid4(),
        name=payload.name,
        version=payload.version,
        occurred_at=occurred_at,
        source=source,
        payload=payload.model_dump(mode="json"),
        aggregate=payload.aggregate_key(),
        aggregate_version=aggregate_version,
    )


__all__ = ["EVENT_TYPES", "Envelope", "Field", "Payload", "envelope_for", "event"]
