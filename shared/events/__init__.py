"""Published event schemas: the contract between services.

An event travels as an :class:`Envelope` (id, name, version, occurred-at, source, payload).
Each payload is a versioned pydantic model registered with :func:`event`. Adding a field is
compatible; changing a field's meaning is a new version.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, Field


class Payload(BaseModel):
    name: ClassVar[str]
    version: ClassVar[int]


class Envelope(BaseModel):
    event_id: uuid.UUID
    name: str
    version: int
    occurred_at: datetime
    source: str
    payload: dict[str, Any]

    def parse(self) -> Payload:
        return EVENT_TYPES[(self.name, self.version)].model_validate(self.payload)


EVENT_TYPES: dict[tuple[str, int], type[Payload]] = {}
P = TypeVar("P", bound=Payload)


def event(cls: type[P]) -> type[P]:
    EVENT_TYPES[(cls.name, cls.version)] = cls
    return cls


def envelope_for(payload: Payload, *, source: str, occurred_at: datetime) -> Envelope:
    return Envelope(
        event_id=uuid.uuid4(),
        name=payload.name,
        version=payload.version,
        occurred_at=occurred_at,
        source=source,
        payload=payload.model_dump(mode="json"),
    )


__all__ = ["EVENT_TYPES", "Envelope", "Field", "Payload", "envelope_for", "event"]
