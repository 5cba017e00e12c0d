"""Hotels' replies as the desk reads them: the unmatched tray, one reply, filing (CF-4).

Lists never load a mail's raw bytes or its attachments' contents; only a download does.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from services.confirmation.inbound import WAITING_STATES, task_for_ref
from services.confirmation.mail_parsing import booking_refs, confirmation_numbers, preview
from services.confirmation.models import ConfirmationTask, HotelReply, ReplyAttachment
from services.confirmation.settings import SCHEMA
from shared import audit
from shared.auth import Staff
from shared.clock import clock
from shared.errors import InvalidInput, NotFound
from shared.i18n import _
from shared.limits import Uuid

PAGE_SIZE = 50
# The reply page's task select: tasks of at most this many refs, at most this many tasks.
MAX_CHOICE_REFS = 5
MAX_CHOICES = 20


class AttachmentView(BaseModel):
    attachment_id: uuid.UUID
    filename: str
    content_type: str
    size_bytes: int


class ReplyView(BaseModel):
    """A received mail without its raw bytes; ``task_id`` is None while it is unmatched."""

    reply_id: uuid.UUID
    received_at: datetime
    mail_from: str
    rcpt_to: str
    subject: str
    body_text: str
    preview: str
    message_id: str | None
    task_id: uuid.UUID | None
    booking_ref: str | None
    matched_by: str | None  # subject, body or desk
    matched_at: datetime | None
    filed_by: str | None
    # Issue 14: why it went to the tray on arrival ("" if it was matched then).
    unmatched_reason: str
    attachments: list[AttachmentView]
    # CF-4: the hotel's confirmation numbers the mail names, offered to the desk to accept.
    confirmation_numbers: list[str] = []


class ReplyPage(BaseModel):
    items: list[ReplyView]
    total: int
    page: int
    page_size: int


class FileRequest(BaseModel):
    """Filing a reply to a booking (from the tray's form or the API): to the task the desk
    chose (``task_id``), else to the task ``booking_ref`` leads to (``task_for_ref``)."""

    booking_ref: str = Field("", max_length=40)
    task_id: Uuid | None = None

    @field_validator("booking_ref")
    @classmethod
    def _normalise(cls, value: str) -> str:
        return value.strip().upper()


def _replies() -> Select[HotelReply]:
    # raiseload: a template touching ``raw`` fails loudly instead of loading megabytes.
    return select(HotelReply).options(defer(HotelReply.raw, raiseload=True))


async def _attachments_of(
    session: AsyncSession, reply_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[AttachmentView]]:
    if not reply_ids:
        return {}
    rows = await session.execute(
        select(
            ReplyAttachment.reply_id,
            ReplyAttachment.attachment_id,
            ReplyAttachment.filename,
            ReplyAttachment.content_type,
            ReplyAttachment.size_bytes,
        )
        .where(ReplyAttachment.reply_id.in_(reply_ids))
        .order_by(ReplyAttachment.filename, ReplyAttachment.attachment_id)
    )
    found: dict[uuid.UUID, list[AttachmentView]] = defaultdict(list)
    for reply_id, attachment_id, filename, content_type, size_bytes in rows:
        found[reply_id].append(
            AttachmentView(
                attachment_id=attachment_id,
                filename=filename,
                content_type=content_type,
                size_bytes=size_bytes,
            )
        )
    return found


def _view(reply: HotelReply, attachments: list[AttachmentView]) -> ReplyView:
    return ReplyView(
        reply_id=reply.reply_id,
        received_at=reply.received_at,
        mail_from=reply.mail_from,
        rcpt_to=reply.rcpt_to,
        subject=reply.subject,
        body_text=reply.body_text,
        preview=preview(reply.body_text),
        message_id=reply.message_id,
        task_id=reply.task_id,
        booking_ref=reply.booking_ref,
        matched_by=reply.matched_by,
        matched_at=reply.matched_at,
        filed_by=reply.filed_by,
        unmatched_reason=reply.unmatched_reason or "",
        attachments=attachments,
        confirmation_numbers=confirmation_numbers(reply.subject, reply.body_text),
    )


async def _views(session: AsyncSession, replies: Sequence[HotelReply]) -> list[ReplyView]:
    attachments = await _attachments_of(session, [reply.reply_id for reply in replies])
    return [_view(reply, attachments.get(reply.reply_id, [])) for reply in replies]


async def replies_for_task(session: AsyncSession, task_id: uuid.UUID) -> list[ReplyView]:
    """The hotel's replies filed to one task, newest first (for the task page, CF-4)."""
    replies = await session.scalars(
        _replies().where(HotelReply.task_id == task_id).order_by(HotelReply.received_at.desc())
    )
    return await _views(session, list(replies))


async def unmatched_count(session: AsyncSession) -> int:
    """How many replies wait in the tray (for the desk's navigation)."""
    count = await session.scalar(
        select(func.count()).select_from(HotelReply).where(HotelReply.task_id.is_(None))
    )
    return int(count or 0)


async def list_replies(session: AsyncSession, *, unmatched: bool, page: int) -> ReplyPage:
    """Replies newest first; ``unmatched`` keeps only the tray (no task yet)."""
    query = _replies()
    if unmatched:
        query = query.where(HotelReply.task_id.is_(None))
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    replies = await session.scalars(
        query.order_by(HotelReply.received_at.desc(), HotelReply.reply_id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return ReplyPage(
        items=await _views(session, list(replies)), total=total, page=page, page_size=PAGE_SIZE
    )


async def get_reply(session: AsyncSession, reply_id: uuid.UUID) -> ReplyView:
    reply = await session.scalar(_replies().where(HotelReply.reply_id == reply_id))
    if reply is None:
        raise NotFound(f"No reply {reply_id}.", field="reply_id")
    return (await _views(session, [reply]))[0]


async def get_attachment(
    session: AsyncSession, reply_id: uuid.UUID, attachment_id: uuid.UUID
) -> ReplyAttachment:
    attachment = await session.scalar(
        select(ReplyAttachment).where(
            ReplyAttachment.attachment_id == attachment_id, ReplyAttachment.reply_id == reply_id
        )
    )
    if attachment is None:
        raise NotFound(f"No attachment {attachment_id} on reply {reply_id}.")
    return attachment


async def get_raw(session: AsyncSession, reply_id: uuid.UUID) -> bytes:
    """The mail exactly as received (CF-4: kept as it came)."""
    raw = await session.scalar(select(HotelReply.raw).where(HotelReply.reply_id == reply_id))
    if raw is None:
        raise NotFound(f"No reply {reply_id}.", field="reply_id")
    return bytes(raw)


def _filing(reply: HotelReply) -> dict[str, str | None]:
    return {
        "task_id": str(reply.task_id) if reply.task_id else None,
        "booking_ref": reply.booking_ref,
        "matched_by": reply.matched_by,
    }


class TaskChoice(BaseModel):
    """A task a reply may be filed to, as the reply page's select shows it."""

    task_id: uuid.UUID
    booking_ref: str
    kind: str
    booking_version: int
    state: str
    deadline_at: datetime


async def task_choices(session: AsyncSession, reply: ReplyView) -> list[TaskChoice]:
    """The open tasks a reply may be about (CF-4): those of the booking it is filed to and of
    every booking ref its subject and text name, by ref, then oldest version first."""
    refs = [reply.booking_ref] if reply.booking_ref else []
    refs += [ref for ref in booking_refs(f"{reply.subject}\n{reply.body_text}") if ref not in refs]
    if not refs:
        return []
    tasks = await session.scalars(
        select(ConfirmationTask)
        .where(
            ConfirmationTask.booking_ref.in_(refs[:MAX_CHOICE_REFS]),
            ConfirmationTask.state.in_(WAITING_STATES),
        )
        .order_by(ConfirmationTask.booking_ref, ConfirmationTask.booking_version)
        .limit(MAX_CHOICES)
    )
    return [TaskChoice.model_validate(task, from_attributes=True) for task in tasks]


async def _chosen_task(
    session: AsyncSession, task_id: uuid.UUID, booking_ref: str
) -> ConfirmationTask:
    """The task the desk chose; refused, with a reason the desk can act on, if it does not
    exist, is closed, or is another booking's than the ref typed beside it."""
    task = await session.get(ConfirmationTask, task_id)
    if task is None:
        raise InvalidInput(_("That task no longer exists; choose another."), field="task_id")
    if booking_ref and booking_ref != task.booking_ref:
        raise InvalidInput(
            _("The task chosen is booking %(task_ref)s, not %(ref)s; choose one or the other.")
            % {"task_ref": task.booking_ref, "ref": booking_ref},
            field="task_id",
        )
    if task.state not in WAITING_STATES:
        raise InvalidInput(
            _("The task of booking %(ref)s is closed; file the reply to an open task.")
            % {"ref": task.booking_ref},
            field="task_id",
        )
    return task


async def file_reply(
    session: AsyncSession,
    *,
    reply_id: uuid.UUID,
    booking_ref: str,
    staff: Staff,
    task_id: uuid.UUID | None = None,
) -> ReplyView:
    """File a reply by hand (CF-4) to the task the desk chose, or to the task of a booking
    ref; an unknown ref or a closed task changes nothing.

    A reply already matched may be filed again: that is how the desk corrects a wrong match,
    and the audit log keeps where it was before."""
    reply = await session.scalar(
        _replies().where(HotelReply.reply_id == reply_id).with_for_update()
    )
    if reply is None:
        raise NotFound(f"No reply {reply_id}.", field="reply_id")
    ref = booking_ref.strip().upper()
    if task_id is not None:
        task: ConfirmationTask | None = await _chosen_task(session, task_id, ref)
    else:
        task = await task_for_ref(session, ref) if ref else None
    if task is None:
        raise InvalidInput(
            _("No booking %(ref)s at the confirmation desk; check the reference.")
            % {"ref": ref or _("(blank)")},
            field="booking_ref",
        )
    before = _filing(reply)
    reply.task_id, reply.booking_ref = task.task_id, task.booking_ref
    reply.matched_by, reply.matched_at, reply.filed_by = "desk", clock.now(), staff.username
    await session.flush()
    await audit.record(
        session,
        schema=SCHEMA,
        actor=staff,
        action="reply.file",
        entity="reply",
        entity_id=reply_id,
        before=before,
        after={**_filing(reply), "chosen": "task" if task_id is not None else "ref"},
    )
    return (await _views(session, [reply]))[0]
