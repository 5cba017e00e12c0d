"""Events the points package consumes (merged into ``services.members.handlers``): the no-show
desk's stay outcomes (CS-5, NS-7), each applied by ``stays.apply_outcome`` inside
``shared.events.consumer.apply_once`` (the inbox drops a redelivered event id, the outcome
version a stale one). ``intake.booking_cancelled`` (the refund) is the profile package's: its
handler calls ``stays.on_refund``."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.members.points import stays
from shared.events import Envelope
from shared.events.consumer import Handler
from shared.events.noshow import NoShowRecordedV1, StayCompletedV1


async def on_stay_outcome(session: AsyncSession, envelope: Envelope) -> None:
    outcome = envelope.parse()
    assert isinstance(outcome, StayCompletedV1 | NoShowRecordedV1)
    await stays.apply_outcome(session, outcome)


HANDLERS: dict[str, Handler] = {
    StayCompletedV1.name: on_stay_outcome,
    NoShowRecordedV1.name: on_stay_outcome,
}
