"""The desk's work on one task after claiming it: verifying an online booking (CF-5), the fax
receipt check (CF-7), the hotel's answer (CF-4 confirmation number, CF-3 full house) and the
customer's confirmation (CF-6).

Every action runs through ``claims.task_for_work`` (row locked, claimed by the person acting)
and is audited. Service functions never commit.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.confirmation.claims import audit_task, task_for_work
from services.confirmation.models import ConfirmationTask, CustomerNotice
from services.confirmation.settings import SCHEMA
from shared.auth import Staff
from shared.clock import Clock, clock
from shared.errors import Conflict, InvalidInput, RuleViolated
from shared.events.confirmation import BookingConfirmedV1, FullHouseV1, ReceiptCheckedV1
from shared.events.outbox import publish
from shared.i18n import N_, _

# CF-7 / SL-6: the phone check follows the fax within this long.
RECEIPT_CHECK_WITHIN = timedelta(minutes=3)
ONE_HOUR = timedelta(hours=1)
ONE_DAY = timedelta(hours=24)
# CF-6: the ways a customer can ask for their confirmation; "phone" is a call we record.
NOTICE_CHANNELS = ("email", "fax", "sms", "phone")


def customer_deadline(
    *, booked_at: datetime, check_in: date, reply_at_once: bool, clock: Clock
) -> datetime:
    """CF-6: same-day bookings and "reply at once" within 1 hour of booking, all others
    within 24 hours (unlike CF-2, "tomorrow" has no same-day rule for the customer)."""
    if reply_at_once or check_in <= clock.local(booked_at).date():
        return booked_at + ONE_HOUR
    return booked_at + ONE_DAY


def _text(value: str, *, field: str, label: str, max_length: int) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInput(_("%(label)s is required.") % {"label": _(label)}, field=field)
    if len(cleaned) > max_length:
        raise InvalidInput(
            _("%(label)s is at most %(max)s characters.") % {"label": _(label), "max": max_length},
            field=field,
        )
    return cleaned


async def verify_online(
    session: AsyncSession, task_id: uuid.UUID, staff: Staff, *, note: str
) -> ConfirmationTask:
    """CF-5: the guest of an online booking was called and the booking is real."""
    task = await task_for_work(session, task_id, staff)
    note = _text(note, field="note", label=N_("What the guest said"), max_length=500)
    if not task.needs_verification:
        raise Conflict(
            _("Booking %(ref)s was not booked online; nothing to verify.")
            % {"ref": task.booking_ref}
        )
    if task.verified_at is not None:
        raise Conflict(
            _("Booking %(ref)s was verified by %(name)s already.")
            % {"ref": task.booking_ref, "name": task.verified_by}
        )
    task.verified_at, task.verified_by, task.verification_note = clock.now(), staff.username, note
    await audit_task(session, staff, "task.verify", task, {"note": note})
    return task


async def record_receipt_check(
    session: AsyncSession, task_id: uuid.UUID, staff: Staff, *, contact: str
) -> ConfirmationTask:
    """CF-7: who at the hotel confirmed by phone that the fax arrived, and when."""
    task = await task_for_work(session, task_id, staff)
    contact = _text(contact, field="contact", label=N_("Who at the hotel"), max_length=120)
    if task.receipt_due_at is None:
        raise Conflict(
            _("No fax was sent for booking %(ref)s; nothing to check.") % {"ref": task.booking_ref}
        )
    if task.receipt_checked_at is not None:
        raise Conflict(
            _("The fax receipt was checked by %(name)s already.")
            % {"name": task.receipt_checked_by}
        )
    task.receipt_checked_at, task.receipt_checked_by = clock.now(), staff.username
    task.receipt_contact = contact
    await publish(  # SL-6: the metrics service closes the receipt check
        session,
        schema=SCHEMA,
        payload=ReceiptCheckedV1(
            task_id=task.task_id,
            booking_ref=task.booking_ref,
            checked_at=task.receipt_checked_at,
            by=staff.username,
        ),
        occurred_at=task.receipt_checked_at,
    )
    await audit_task(session, staff, "task.receipt_check", task, {"contact": contact})
    return task


def _ensure_open_for_answer(task: ConfirmationTask) -> None:
    if task.state == "closed":
        raise Conflict(
            _("Booking %(ref)s was cancelled before anything was sent; nothing to answer.")
            % {"ref": task.booking_ref}
        )
    if task.state in ("confirmed", "full"):
        raise Conflict(
            _("Booking %(ref)s is already %(state)s (recorded by %(name)s); nothing changed.")
            % {"ref": task.booking_ref, "state": task.state, "name": task.answered_by}
        )
    if task.state == "sending":
        raise Conflict(
            _("The order for %(ref)s is being sent; wait for it to finish.")
            % {"ref": task.booking_ref}
        )


async def record_confirmation(
    session: AsyncSession, task_id: uuid.UUID, staff: Staff, *, confirmation_no: str
) -> ConfirmationTask:
    """CF-4: the hotel confirmed with its number; intake shows the booking confirmed and the
    customer's confirmation (CF-6) is due."""
    task = await task_for_work(session, task_id, staff)
    number = _text(
        confirmation_no, field="confirmation_no", label=N_("The hotel's confirmation number"),
        max_length=60,
    )  # fmt: skip
    _ensure_open_for_answer(task)
    now = clock.now()
    task.state, task.hotel_confirmation_no = "confirmed", number
    task.answered_at, task.answered_by = now, staff.username
    await publish(
        session,
        schema=SCHEMA,
        payload=BookingConfirmedV1(
            booking_id=task.booking_id,
            booking_ref=task.booking_ref,
            kind=task.kind,
            booking_version=task.booking_version,
            hotel_confirmation_no=number,
            confirmed_by=staff.username,
            confirmed_at=now,
            task_id=task.task_id,
        ),
        occurred_at=now,
    )
    await _open_customer_notice(session, task, outcome="confirmed")
    await audit_task(session, staff, "task.confirm", task, {"confirmation_no": number})
    return task


async def record_full_house(
    session: AsyncSession, task_id: uuid.UUID, staff: Staff, *, reason: str
) -> ConfirmationTask:
    """CF-3: the hotel is full. The booking goes full with the reason (intake), the nights'
    room status goes full at once (contracts), and the customer is told (CF-6)."""
    task = await task_for_work(session, task_id, staff)
    reason = _text(reason, field="reason", label=N_("The hotel's reason"), max_length=2000)
    if task.kind == "cancel":
        raise RuleViolated(
            _("A cancellation cannot be refused as full house"), rule="CF-3", field="reason"
        )
    _ensure_open_for_answer(task)
    if task.room_type_id is None:
        raise Conflict(
            _("Booking %(ref)s has no room type on file; ask hotel resources.")
            % {"ref": task.booking_ref}
        )
    now = clock.now()
    task.state, task.full_reason = "full", reason
    task.answered_at, task.answered_by = now, staff.username
    await publish(
        session,
        schema=SCHEMA,
        payload=FullHouseV1(
            booking_ref=task.booking_ref,
            hotel_id=task.hotel_id,
            room_type_id=task.room_type_id,
            nights=_nights(task),
            reason=reason,
            marked_by=staff.username,
            booking_id=task.booking_id,
            marked_at=now,
            task_id=task.task_id,
        ),
        occurred_at=now,
    )
    await _open_customer_notice(session, task, outcome="full")
    await audit_task(session, staff, "task.full_house", task, {"reason": reason})
    return task


def _nights(task: ConfirmationTask) -> list[date]:
    count = (task.check_out - task.check_in).days
    return [task.check_in + timedelta(days=n) for n in range(count)]


async def _open_customer_notice(
    session: AsyncSession, task: ConfirmationTask, *, outcome: str
) -> None:
    """CF-6: the customer hears the hotel's answer the way they asked, by its deadline."""
    channel = task.confirm_channel if task.confirm_channel in NOTICE_CHANNELS else "phone"
    session.add(
        CustomerNotice(
            notice_id=uuid.uuid4(),
            task_id=task.task_id,
            booking_ref=task.booking_ref,
            outcome=outcome,
            channel=channel,
            contact=_customer_contact(task),
            deadline_at=customer_deadline(
                booked_at=task.booked_at,
                check_in=task.check_in,
                reply_at_once=task.reply_at_once,
                clock=clock,
            ),
            state="pending",
            created_at=clock.now(),
        )
    )


def _customer_contact(task: ConfirmationTask) -> str:
    contact = task.snapshot.get("confirm_contact") or task.snapshot.get("booker_phone") or ""
    return str(contact)


async def notice_for(session: AsyncSession, task_id: uuid.UUID) -> CustomerNotice | None:
    found: CustomerNotice | None = await session.scalar(
        select(CustomerNotice).where(CustomerNotice.task_id == task_id)
    )
    return found


async def record_customer_call(
    session: AsyncSession, task_id: uuid.UUID, staff: Staff, *, note: str
) -> CustomerNotice:
    """CF-6 by phone: the customer was called and told; what was said is kept."""
    task = await task_for_work(session, task_id, staff)
    note = _text(note, field="note", label=N_("What the customer was told"), max_length=1000)
    notice = await notice_for(session, task.task_id)
    if notice is None:
        raise Conflict(
            _("The hotel has not answered booking %(ref)s yet.") % {"ref": task.booking_ref}
        )
    if notice.state == "sent":
        raise Conflict(
            _("The customer of %(ref)s was told already (%(name)s).")
            % {"ref": task.booking_ref, "name": notice.sent_by}
        )
    if notice.state == "sending":
        raise Conflict(
            _("The customer's confirmation of %(ref)s is being sent.") % {"ref": task.booking_ref}
        )
    notice.state, notice.sent_at, notice.sent_by = "sent", clock.now(), staff.username
    notice.phone_note, notice.last_error = note, ""
    await audit_task(session, staff, "notice.phone", task, {"note": note})
    return notice
