"""Sending order sheets to hotels (CF-1, CF-7) and confirmations to customers (CF-6) as arq jobs.

The desk's side (``queue_hotel_order``, ``queue_customer_notice``) renders the document, keeps
it in an ``order_dispatch`` row (CF-4: what was sent is kept, by date) in state ``queued`` and
moves the task to ``sending`` (or the notice to ``sending``). The caller commits, and only then
enqueues ``send_dispatch`` (``enqueue_dispatch``): a job enqueued before the commit could run
before its row exists. The job id ``dispatch:<id>`` makes a second enqueue a no-op.

The worker's side, ``send_dispatch``:

1. counts the try on the dispatch and commits it before sending, so a worker that dies
   mid-send has still used a try;
2. sends through the transport the worker's settings choose (``transports``), with no
   transaction open while it talks to the outside world;
3. success, in ONE transaction: the dispatch ``sent`` with the Message-ID, the task ``sent``
   (a fax with its receipt check due 3 minutes later, CF-7 / SL-6) and ``OrderSentV1`` in the
   outbox; or the customer's notice ``sent``;
4. ``SendFailed``: the reason is kept; before the last try the job is retried after
   ``send_backoff_seconds × 2^(try-1)`` (at most 10 minutes); after it the dispatch is
   ``failed`` and the task is back in the queue, ``unsent``, with the reason (or the notice
   back to ``pending``). Nothing is marked sent that was not.

Delivery is at least once: a worker killed between the far side accepting the message and
the commit sends it again on the next try. The Message-ID stays the same across tries, so
the hotel's mail client (or our reply matching) sees one message.

``sweep_dispatches`` (cron, each minute) enqueues dispatches still ``queued`` a minute after
they were queued: the enqueue after the commit was lost (Redis down), or arq gave up.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from arq import Retry
from arq.connections import ArqRedis
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import defer

from services.confirmation.claims import audit_task
from services.confirmation.models import (
    ConfirmationTask,
    CustomerNotice,
    HotelContact,
    OrderDispatch,
)
from services.confirmation.order_sheet import (
    RenderedDocument,
    customer_letter,
    order_sheet,
    sms_text,
)
from services.confirmation.settings import SCHEMA, ConfirmationSettings
from services.confirmation.transports import (
    Message,
    SendFailed,
    transport_for,
    transport_name,
)
from shared import audit
from shared.auth import Staff
from shared.clock import clock
from shared.db import unit_of_work
from shared.errors import Conflict, InvalidInput, NotFound, RuleViolated
from shared.events.confirmation import OrderSentV1
from shared.events.outbox import publish
from shared.i18n import _
from shared.observability import get_logger
from shared.queue import queue_name

log = get_logger("confirmation.sending")
Sessionmaker = async_sessionmaker[AsyncSession]

JOB_FUNCTION = "send_dispatch"
# Sends have their own arq queue and worker (tasks.confirmation_send_worker_settings).
SEND_QUEUE = "confirmation_send"
QUEUED, SENT, FAILED = "queued", "sent", "failed"
MAX_BACKOFF_SECONDS = 600.0
# CF-7 / SL-6: the phone call checking a fax's receipt is due this long after sending.
RECEIPT_CHECK_WITHIN = timedelta(minutes=3)
LOST_ENQUEUE_AFTER = timedelta(minutes=1)
# arq counts tries of its own (a crashed run, a database hiccup): room beyond send_max_tries,
# so it is always our count on the dispatch that ends a send, never arq giving up silently.
EXTRA_JOB_TRIES = 3
SYSTEM_ACTOR = "system:sender"


# --- the desk's side ---------------------------------------------------------------------------


def _check_sendable(task: ConfirmationTask) -> None:
    if task.state == "closed":
        raise Conflict(
            _("Booking %(ref)s was cancelled before anything was sent; nothing to send.")
            % {"ref": task.booking_ref}
        )
    if task.state == "sending":
        raise Conflict(_("Booking %(ref)s is already being sent.") % {"ref": task.booking_ref})
    if task.state != "unsent":
        raise Conflict(
            _("Booking %(ref)s was already sent (it is %(state)s).")
            % {"ref": task.booking_ref, "state": task.state}
        )
    if task.needs_verification and task.verified_at is None:
        raise RuleViolated(
            _("Call the guest to verify this online booking before sending it"), rule="CF-5"
        )


def _hotel_address(task: ConfirmationTask, contact: HotelContact | None) -> tuple[str, str]:
    """(channel, address) of the hotel's reservations desk, as its file says."""
    if contact is None:
        raise Conflict(
            _(
                "No contact on file for %(hotel)s: hotel resources must publish the hotel "
                "with its fax or email before its orders can be sent."
            )
            % {"hotel": task.hotel_name}
        )
    channel = contact.confirm_channel
    address = {"fax": contact.fax, "email": contact.email}.get(channel)
    if address is None:
        raise InvalidInput(
            _("%(hotel)s confirms by %(channel)r; only fax or email can be sent.")
            % {"hotel": task.hotel_name, "channel": channel},
            field="confirm_channel",
        )
    if not address.strip():
        raise InvalidInput(
            _(
                "%(hotel)s confirms by %(channel)s, but its file has no %(channel)s "
                "address: ask hotel resources to add it."
            )
            % {"hotel": task.hotel_name, "channel": channel},
            field=channel,
        )
    return channel, address.strip()


def _new_dispatch(
    task: ConfirmationTask,
    *,
    audience: str,
    channel: str,
    address: str,
    document: RenderedDocument | None,
    text: tuple[str, str],
    staff: Staff,
    settings: ConfirmationSettings,
) -> OrderDispatch:
    subject, body = text
    return OrderDispatch(
        dispatch_id=uuid.uuid4(),
        task_id=task.task_id,
        booking_ref=task.booking_ref,
        hotel_id=task.hotel_id,
        audience=audience,
        channel=channel,
        transport=transport_name(channel, settings),
        address=address,
        subject=subject,
        body=body,
        document=document.content if document else None,
        document_name=document.filename if document else None,
        state=QUEUED,
        attempts=0,
        last_error="",
        queued_by=staff.username,
        queued_at=clock.now(),
    )


async def queue_hotel_order(
    session: AsyncSession,
    task: ConfirmationTask,
    *,
    staff: Staff,
    settings: ConfirmationSettings,
) -> OrderDispatch:
    """Render the order sheet and queue it for the hotel's fax or email (CF-1). ``task`` is
    locked and claimed by ``staff`` (``claims.task_for_work``); the caller commits, then
    calls ``enqueue_dispatch``."""
    _check_sendable(task)
    channel, address = _hotel_address(task, await session.get(HotelContact, task.hotel_id))
    document = await order_sheet(session, task)
    dispatch = _new_dispatch(
        task,
        audience="hotel",
        channel=channel,
        address=address,
        document=document,
        text=(document.subject, document.body),
        staff=staff,
        settings=settings,
    )
    session.add(dispatch)
    task.state, task.last_error, task.last_error_at = "sending", "", None
    await session.flush()
    await audit_task(session, staff, "order.queue", task, _queued(dispatch))
    return dispatch


async def customer_notice_of(session: AsyncSession, task_id: uuid.UUID) -> CustomerNotice:
    """The task's customer notice, locked; it exists once the hotel has answered (CF-6)."""
    notice = await session.scalar(
        select(CustomerNotice).where(CustomerNotice.task_id == task_id).with_for_update()
    )
    if notice is None:
        raise NotFound(_("The customer's confirmation is due only once the hotel has answered."))
    return notice


async def queue_customer_notice(
    session: AsyncSession,
    notice: CustomerNotice,
    task: ConfirmationTask,
    *,
    staff: Staff,
    settings: ConfirmationSettings,
) -> OrderDispatch:
    """Queue the customer's confirmation the way they asked (CF-6): a letter by email or fax,
    a text by SMS. A phone call is not sent: the desk records it."""
    if notice.state != "pending":
        raise Conflict(
            _("The customer's confirmation of %(ref)s is %(state)s.")
            % {"ref": task.booking_ref, "state": notice.state}
        )
    if notice.channel == "phone":
        raise InvalidInput(
            _("The customer asked to be phoned: call them and record the call instead."),
            field="channel",
        )
    if not notice.contact.strip():
        raise InvalidInput(
            _("No %(channel)s for the customer on file.") % {"channel": notice.channel},
            field="contact",
        )
    document: RenderedDocument | None = None
    if notice.channel == "sms":
        text = (f"Booking {task.booking_ref}", sms_text(task, notice.outcome))
    else:
        document = await customer_letter(session, task, notice.outcome)
        text = (document.subject, document.body)
    dispatch = _new_dispatch(
        task,
        audience="customer",
        channel=notice.channel,
        address=notice.contact.strip(),
        document=document,
        text=text,
        staff=staff,
        settings=settings,
    )
    session.add(dispatch)
    notice.state, notice.last_error = "sending", ""
    await session.flush()
    await audit_task(session, staff, "customer_notice.queue", task, _queued(dispatch))
    return dispatch


async def enqueue_dispatch(redis: Redis, dispatch_id: uuid.UUID, queue_prefix: str) -> bool:
    """Queue the send on the confirmation worker; False if it is already queued or running
    (the job id is the dispatch's, so the sweep and the desk never send it twice at once)."""
    # Shares the caller's Redis connection pool; ArqRedis only adds enqueue_job to it.
    pool = redis if isinstance(redis, ArqRedis) else ArqRedis(pool_or_conn=redis.connection_pool)
    job = await pool.enqueue_job(
        JOB_FUNCTION,
        str(dispatch_id),
        _job_id=f"dispatch:{dispatch_id}",
        _queue_name=queue_name(SEND_QUEUE, queue_prefix),
    )
    return job is not None


async def get_dispatch(session: AsyncSession, dispatch_id: uuid.UUID) -> OrderDispatch:
    # The document may be megabytes of scan; a status poll never needs it.
    dispatch = await session.get(
        OrderDispatch, dispatch_id, options=[defer(OrderDispatch.document, raiseload=True)]
    )
    if dispatch is None:
        raise NotFound(f"No dispatch {dispatch_id}.", field="dispatch_id")
    return dispatch


# --- the worker's side -------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    message: Message
    channel: str
    attempts: int


def backoff_seconds(settings: ConfirmationSettings, attempts: int) -> float:
    return float(min(settings.send_backoff_seconds * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS))


def send_time_limit(settings: ConfirmationSettings) -> float:
    """The longest one try may take: an SMTP conversation is several timed steps."""
    return max(settings.smtp_timeout_seconds * 6, settings.sendfax_timeout_seconds) + 5


def _queued(sent: OrderDispatch) -> dict[str, str]:
    return {"dispatch_id": str(sent.dispatch_id), "channel": sent.channel, "to": sent.address}


def job_settings(settings: ConfirmationSettings) -> dict[str, Any]:
    """arq's limits for ``send_dispatch``: no result kept (so the sweep can enqueue a dispatch
    again once its job ended), more tries than ours, a time limit above one try's."""
    return {
        "name": JOB_FUNCTION,
        "max_tries": settings.send_max_tries + EXTRA_JOB_TRIES,
        "timeout": send_time_limit(settings) + 30,
        "keep_result": 0,
    }


async def send_dispatch(ctx: dict[str, Any], dispatch_id: str) -> str:
    """The arq job: one try at sending a dispatch; returns what became of it."""
    return await send_once(ctx["sessionmaker"], ctx["settings"], uuid.UUID(dispatch_id))


async def send_once(
    sessionmaker: Sessionmaker, settings: ConfirmationSettings, dispatch_id: uuid.UUID
) -> str:
    attempt = await _start_try(sessionmaker, settings, dispatch_id)
    if attempt is None:
        return "not queued"
    transport = transport_for(attempt.channel, settings)
    try:
        async with asyncio.timeout(send_time_limit(settings)):
            sent_as = await transport.send(attempt.message)
    except TimeoutError:
        limit = f"{send_time_limit(settings):g}"
        return await _failed_try(
            sessionmaker, settings, dispatch_id, f"the send did not finish within {limit} s"
        )
    except SendFailed as exc:
        return await _failed_try(sessionmaker, settings, dispatch_id, exc.reason)
    await _mark_sent(sessionmaker, dispatch_id, sent_as=sent_as, transport=transport.name)
    log.info("dispatch_sent", dispatch_id=str(dispatch_id), tries=attempt.attempts)
    return SENT


def message_id_for(dispatch: OrderDispatch, settings: ConfirmationSettings) -> str:
    domain = settings.mail_from.rpartition("@")[2] or "roomline.example"
    return f"<{dispatch.booking_ref}.{dispatch.dispatch_id}@{domain}>"


async def _start_try(
    sessionmaker: Sessionmaker, settings: ConfirmationSettings, dispatch_id: uuid.UUID
) -> Attempt | None:
    """Count the try and read the message; None if there is nothing (left) to send."""
    async with unit_of_work(sessionmaker) as session:
        dispatch = await session.get(OrderDispatch, dispatch_id, with_for_update=True)
        if dispatch is None or dispatch.state != QUEUED:
            return None
        if dispatch.attempts >= settings.send_max_tries:
            # The last try was counted but never finished (the worker died during it).
            reason = dispatch.last_error or "the last try did not finish (the worker stopped)"
            await _give_up(session, dispatch, reason)
            return None
        dispatch.attempts += 1
        message = Message(
            to=dispatch.address,
            subject=dispatch.subject,
            body=dispatch.body,
            message_id=dispatch.message_id or message_id_for(dispatch, settings),
            reference=f"{dispatch.booking_ref}-{dispatch.dispatch_id}",
            attachment=dispatch.document,
            attachment_name=dispatch.document_name,
        )
        dispatch.message_id = message.message_id
        return Attempt(message=message, channel=dispatch.channel, attempts=dispatch.attempts)


async def _locked(session: AsyncSession, dispatch_id: uuid.UUID) -> OrderDispatch:
    """The dispatch with its task (and notice) locked, in the order the desk locks them: the
    task first (``claims.task_for_work``), so the job and the desk never deadlock."""
    task_id = await session.scalar(
        select(OrderDispatch.task_id).where(OrderDispatch.dispatch_id == dispatch_id)
    )
    await session.get(ConfirmationTask, task_id, with_for_update=True)
    await session.scalar(
        select(CustomerNotice).where(CustomerNotice.task_id == task_id).with_for_update()
    )
    dispatch = await session.get(OrderDispatch, dispatch_id, with_for_update=True)
    assert dispatch is not None
    return dispatch


async def _mark_sent(
    sessionmaker: Sessionmaker, dispatch_id: uuid.UUID, *, sent_as: str, transport: str
) -> None:
    """The dispatch, its task or notice, and the event, all in one transaction."""
    async with unit_of_work(sessionmaker) as session:
        dispatch = await _locked(session, dispatch_id)
        if dispatch.state != QUEUED:
            return
        now = clock.now()
        dispatch.state, dispatch.sent_at, dispatch.finished_at = SENT, now, now
        dispatch.message_id, dispatch.transport, dispatch.last_error = sent_as[:200], transport, ""
        if dispatch.audience == "hotel":
            await _hotel_has_it(session, dispatch)
        elif dispatch.audience == "customer":  # a thank-you (NS-3) has no notice to close
            notice = await _notice(session, dispatch)
            notice.state, notice.sent_at, notice.sent_by = "sent", now, dispatch.queued_by
            notice.last_error = ""
        await _audit_job(session, dispatch, "dispatch.sent")


async def _hotel_has_it(session: AsyncSession, dispatch: OrderDispatch) -> None:
    """The task is sent (CF-1); a fax's receipt check is due in 3 minutes (CF-7, SL-6)."""
    task = await session.get(ConfirmationTask, dispatch.task_id)
    assert task is not None and dispatch.sent_at is not None
    if task.state == "sending":  # never undo an answer the desk recorded meanwhile
        task.state = "sent"
    task.sent_at, task.sent_channel = dispatch.sent_at, dispatch.channel
    task.receipt_due_at = (
        dispatch.sent_at + RECEIPT_CHECK_WITHIN if dispatch.channel == "fax" else None
    )
    task.last_error, task.last_error_at = "", None
    event = OrderSentV1(
        task_id=task.task_id,
        booking_ref=task.booking_ref,
        kind=task.kind,
        channel=dispatch.channel,
        sent_at=dispatch.sent_at,
        deadline_at=task.deadline_at,
        receipt_due_at=task.receipt_due_at,
    )
    await publish(session, schema=SCHEMA, payload=event, occurred_at=dispatch.sent_at)


async def _notice(session: AsyncSession, dispatch: OrderDispatch) -> CustomerNotice:
    notice = await session.scalar(
        select(CustomerNotice).where(CustomerNotice.task_id == dispatch.task_id)
    )
    assert notice is not None
    return notice


async def _failed_try(
    sessionmaker: Sessionmaker,
    settings: ConfirmationSettings,
    dispatch_id: uuid.UUID,
    reason: str,
) -> str:
    """Keep why; retry later (``arq.Retry``) or, after the last try, give up."""
    async with unit_of_work(sessionmaker) as session:
        dispatch = await _locked(session, dispatch_id)
        if dispatch.state != QUEUED:
            return dispatch.state
        dispatch.last_error = reason
        attempts = dispatch.attempts
        if attempts >= settings.send_max_tries:
            await _give_up(session, dispatch, reason)
    log.warning("dispatch_try_failed", dispatch_id=str(dispatch_id), tries=attempts, error=reason)
    if attempts < settings.send_max_tries:
        # Raised after the commit above, so the reason and the count are kept.
        raise Retry(defer=backoff_seconds(settings, attempts))
    return FAILED


async def _give_up(session: AsyncSession, dispatch: OrderDispatch, reason: str) -> None:
    """The dispatch failed: the task is back in the queue with the reason (or the notice is
    pending again), so the desk sees it and decides; nothing is marked sent."""
    now = clock.now()
    tries = "try" if dispatch.attempts == 1 else "tries"
    error = f"{reason} (after {dispatch.attempts} {tries})"
    dispatch.state, dispatch.finished_at, dispatch.last_error = FAILED, now, reason
    if dispatch.audience == "hotel":
        task = await session.get(ConfirmationTask, dispatch.task_id)
        assert task is not None
        if task.state == "sending":
            task.state = "unsent"
        task.last_error, task.last_error_at = error, now
    elif dispatch.audience == "customer":
        notice = await _notice(session, dispatch)
        if notice.state == "sending":
            notice.state = "pending"
        notice.last_error = error
    await _audit_job(session, dispatch, "dispatch.failed")


async def _audit_job(session: AsyncSession, dispatch: OrderDispatch, action: str) -> None:
    await audit.record(
        session,
        schema=SCHEMA,
        actor=SYSTEM_ACTOR,
        action=action,
        entity="dispatch",
        entity_id=dispatch.dispatch_id,
        after={"attempts": dispatch.attempts, "error": dispatch.last_error},
    )


async def sweep_dispatches(ctx: dict[str, Any]) -> int:
    """Cron: enqueue dispatches still queued a minute after the desk queued them (the enqueue
    after the commit was lost); returns how many it enqueued. A dispatch whose job is waiting
    to retry is left alone: its job id is taken, so the enqueue is a no-op."""
    sessionmaker: Sessionmaker = ctx["sessionmaker"]
    settings: ConfirmationSettings = ctx["settings"]
    async with sessionmaker() as session:
        waiting = list(
            await session.scalars(
                select(OrderDispatch.dispatch_id).where(
                    OrderDispatch.state == QUEUED,
                    OrderDispatch.queued_at < clock.now() - LOST_ENQUEUE_AFTER,
                )
            )
        )
    enqueued = 0
    for dispatch_id in waiting:
        enqueued += await enqueue_dispatch(ctx["redis"], dispatch_id, settings.queue_prefix)
    if enqueued:
        log.warning("dispatches_requeued", count=enqueued)
    return enqueued
