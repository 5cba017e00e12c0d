"""Events the complaints package consumes (merged into ``services.members.handlers``), each
inside ``shared.events.consumer.apply_once`` (the inbox drops a redelivered event id):

- ``contracts.hotel_published`` keeps ``complaint_hotel``, the hotels a complaint can name
  (HR-12); the highest ``source_version`` wins (issue 12), like payments' hotels;
- ``intake.memo_answered`` with a ``complaint_id``: the department answered the complaint's
  internal form; its reply is the department's findings (CS-3, SL-5). The first findings are
  kept, whether phoned through and typed in or answered in intake.
"""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.members.complaints import service
from services.members.complaints.models import complaint_hotel
from shared.errors import Conflict, NotFound
from shared.events import Envelope
from shared.events.consumer import Handler
from shared.events.contracts import HotelPublishedV1
from shared.events.intake import MemoAnsweredV1
from shared.events.ordering import is_newer, source_version
from shared.limits import CONTROL_CHARACTERS
from shared.observability import get_logger

log = get_logger("members.complaints.handlers")


async def on_hotel_published(session: AsyncSession, envelope: Envelope) -> None:
    hotel = envelope.parse()
    assert isinstance(hotel, HotelPublishedV1)
    values = {
        "hotel_id": hotel.hotel_id,
        "name": (hotel.name_zh or hotel.name_en)[:300],
        "city": hotel.city[:60],
        "source_version": source_version(envelope),
    }
    statement = insert(complaint_hotel).values(**values)
    incoming = statement.excluded
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["hotel_id"],
            set_={name: incoming[name] for name in values if name != "hotel_id"},
            where=is_newer(incoming.source_version, complaint_hotel.c.source_version),
        )
    )


async def on_memo_answered(session: AsyncSession, envelope: Envelope) -> None:
    memo = envelope.parse()
    assert isinstance(memo, MemoAnsweredV1)
    if memo.complaint_id is None:
        return  # an ordinary internal form (IN-7), not a complaint's
    reply = CONTROL_CHARACTERS.sub("", memo.reply).strip()[:2000] or "-"
    try:
        await service.record_findings(
            session,
            complaint_id=memo.complaint_id,
            actor=memo.answered_by[:120] or "intake",
            data=service.AnswerIn(text=reply),
            at=memo.answered_at,
        )
    except NotFound:
        log.warning("memo_for_unknown_complaint", complaint_id=str(memo.complaint_id))
    except Conflict:
        log.info("memo_for_closed_complaint", complaint_id=str(memo.complaint_id))


HANDLERS: dict[str, Handler] = {
    HotelPublishedV1.name: on_hotel_published,
    MemoAnsweredV1.name: on_memo_answered,
}
