"""NS-3: a guest the night audit missed is thanked once the no-show desk corrects the record.

The no-show desk publishes the correction as ``noshow.stay_completed`` with
``corrects_version`` set (a first stay has none and thanks nobody). Confirmation already knows
how the customer wants to hear from us (the booking's ``confirm_channel`` and contact in its
task's snapshot) and how to send (``sending``: a dispatch row, sent by the send worker with its
tries and reasons), so the thank-you is one more dispatch, audience ``thanks``, on the
booking's latest task. The sweep (``sending.sweep_dispatches``) sends it within two minutes: a
handler runs inside the event's transaction and cannot enqueue after its commit.

Once per outcome: the dispatch's id is derived from (booking, outcome version) and inserted
with ON CONFLICT DO NOTHING, so the same outcome delivered twice, even under two event ids,
queues one message. A customer who asked for a fax or a call gets an SMS on the booker's
phone instead: a fax or a call for a thank-you would only burden the desk.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.confirmation.documents import COMPANY_EN, COMPANY_ZH, settings
from services.confirmation.models import ConfirmationTask, OrderDispatch
from services.confirmation.transports import transport_name
from shared.clock import clock
from shared.events import Envelope
from shared.events.noshow import StayCompletedV1
from shared.i18n import N_, both
from shared.observability import get_logger

log = get_logger("confirmation.thank_you")

AUDIENCE = "thanks"
SYSTEM_ACTOR = "system:thank_you"
SMS_LIMIT = 160
# Fixed namespace of the thank-you dispatch ids (uuid5): one id per outcome version.
_NAMESPACE = uuid.UUID("5b0c6c1e-7a0e-4c1d-9a57-3f1f0b7e9a16")

SUBJECT = N_("Thank you for staying with us")
GREETING = N_("Dear %(booker)s,")
BODY = N_(
    "Thank you for staying at %(hotel)s. Booking %(ref)s was first recorded as a no-show "
    "by mistake; it is now recorded as stayed."
)
CLOSING = N_("We look forward to welcoming you again.")
SMS = N_("Thank you for your stay: booking %(ref)s is now recorded as stayed.")


def thanks_dispatch_id(booking_id: uuid.UUID, outcome_version: int) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{booking_id}:{outcome_version}")


def _zh_en(message: str) -> list[str]:
    """The Chinese and English of a sentence on lines of their own (a letter, not a label)."""
    zh, _sep, en = both(message, "confirmation").partition(" / ")
    return [zh, en] if en else [zh]


async def _latest_task(session: AsyncSession, booking_id: uuid.UUID) -> ConfirmationTask | None:
    """The booking's newest task that is not a cancellation: its snapshot has the contact
    the customer gave last."""
    found: ConfirmationTask | None = await session.scalar(
        select(ConfirmationTask)
        .where(ConfirmationTask.booking_id == booking_id, ConfirmationTask.kind != "cancel")
        .order_by(ConfirmationTask.booking_version.desc())
        .limit(1)
    )
    return found


def address_of(task: ConfirmationTask) -> tuple[str, str] | None:
    """(channel, address) for the thank-you, or None when we have no way to write."""
    contact = str(task.snapshot.get("confirm_contact") or "").strip()
    if task.confirm_channel in ("email", "sms") and contact:
        return task.confirm_channel, contact
    phone = str(task.snapshot.get("booker_phone") or "").strip()
    return ("sms", phone) if phone else None


def message_text(task: ConfirmationTask, channel: str) -> tuple[str, str]:
    """(subject, body) of the thank-you, Chinese and English (NS-3)."""
    ref = task.booking_ref
    if channel == "sms":
        return f"Booking {ref}", (both(SMS, "confirmation") % {"ref": ref})[:SMS_LIMIT]
    booker = str(task.snapshot.get("booker_name") or "") or "客户 Customer"
    hotel = task.hotel_name or ref
    lines = [
        *(line % {"booker": booker} for line in _zh_en(GREETING)),
        "",
        *(line % {"hotel": hotel, "ref": ref} for line in _zh_en(BODY)),
        "",
        *_zh_en(CLOSING),
        "",
        f"{COMPANY_ZH} / {COMPANY_EN}",
    ]
    subject = f"{both(SUBJECT, 'confirmation')} · {ref}"
    return subject, "\n".join(lines)


async def on_stay_completed(session: AsyncSession, envelope: Envelope) -> None:
    """NS-3: a correction to stayed queues one thank-you to the customer; a first stay none."""
    stay = envelope.parse()
    assert isinstance(stay, StayCompletedV1)
    if stay.corrects_version is None:
        return
    task = await _latest_task(session, stay.booking_id)
    address = address_of(task) if task is not None else None
    if task is None or address is None:
        log.info("thank_you_no_contact", booking_ref=stay.booking_ref)
        return
    channel, to = address
    subject, body = message_text(task, channel)
    queued = await session.execute(
        insert(OrderDispatch)
        .values(
            dispatch_id=thanks_dispatch_id(stay.booking_id, stay.outcome_version),
            task_id=task.task_id,
            booking_ref=task.booking_ref,
            hotel_id=task.hotel_id,
            audience=AUDIENCE,
            channel=channel,
            transport=transport_name(channel, settings()),
            address=to[:200],
            subject=subject,
            body=body,
            state="queued",
            attempts=0,
            last_error="",
            queued_by=SYSTEM_ACTOR,
            queued_at=clock.now(),
        )
        .on_conflict_do_nothing(index_elements=["dispatch_id"])
        .returning(OrderDispatch.dispatch_id)
    )
    if queued.first() is None:
        log.info("thank_you_already_queued", booking_ref=stay.booking_ref)
