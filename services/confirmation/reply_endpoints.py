"""Hotels' replies and the unmatched tray (CF-4).

Pages: the tray (``/replies``), one reply (``/replies/{id}``) with its attachments and raw
mail as downloads, and the form that files a reply to a booking. JSON under ``/api/replies``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.confirmation import replies
from services.confirmation.auth import DESK_ROLES
from services.confirmation.downloads import download
from services.confirmation.replies import FileRequest, ReplyPage, ReplyView
from services.confirmation.schemas import NoticeWord, PathId
from shared.auth import Staff, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected
from shared.field_errors import FieldErrors, field_errors
from shared.i18n import _
from shared.limits import PageNumber
from shared.web import form_data, render, see_other

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
Back = Literal["tray", "reply"]


async def _tray(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    *,
    page: int = 1,
    notice: str = "",
    error: str | FieldErrors = "",
    status: int = 200,
    failed: dict[str, str] | None = None,
) -> Response:
    tray = await replies.list_replies(session, unmatched=True, page=page)
    return render(
        request.app.state.templates,
        request,
        "replies.html",
        staff,
        status_code=status,
        tray=tray,
        unmatched_count=tray.total,
        notice=notice,
        error=error,
        failed=failed or {},
    )


async def _reply_page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    reply_id: uuid.UUID,
    *,
    notice: str = "",
    error: str | FieldErrors = "",
    status: int = 200,
    typed_ref: str = "",
    chosen: str = "",
) -> Response:
    reply = await replies.get_reply(session, reply_id)
    choices = await replies.task_choices(session, reply)
    return render(
        request.app.state.templates,
        request,
        "reply.html",
        staff,
        status_code=status,
        reply=reply,
        choices=choices,
        # CF-4: the number is offered only while the task it is filed to waits for the hotel.
        filed_open=any(choice.task_id == reply.task_id for choice in choices),
        unmatched_count=await replies.unmatched_count(session),
        notice=notice,
        error=error,
        typed_ref=typed_ref,
        chosen=chosen,
    )


@router.get("/replies", response_class=HTMLResponse)
async def tray_page(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    page: PageNumber = 1,
    filed: NoticeWord = "",
) -> Response:
    """The unmatched tray: replies no booking ref matched, newest first."""
    notice = _("Reply filed to booking %(ref)s.") % {"ref": filed[:40]} if filed else ""
    return await _tray(request, session, staff, page=page, notice=notice)


@router.post("/replies/{reply_id}/file")
async def file_form(
    request: Request, session: DbSession, staff: DeskStaff, reply_id: PathId
) -> Response:
    """File a reply to a booking ref; an unknown ref shows the error and changes nothing."""
    fields = await form_data(request)
    back: Back = "reply" if fields.get("back") == "reply" else "tray"
    try:
        body = FileRequest.model_validate(
            {
                "booking_ref": fields.get("booking_ref", ""),
                "task_id": fields.get("task_id") or None,
            }
        )
        filed = await replies.file_reply(
            session,
            reply_id=reply_id,
            booking_ref=body.booking_ref,
            staff=staff,
            task_id=body.task_id,
        )
    except ValidationError as exc:
        error, status = field_errors(exc), 422
    except DomainError as exc:
        error, status = field_errors(exc), exc.status_code
    else:
        if back == "reply":
            return see_other(request, f"/replies/{reply_id}?filed=1")
        return see_other(request, f"/replies?filed={filed.booking_ref}")
    raise FormRejected(
        lambda session: _file_refused(
            request, session, staff, reply_id, back, fields, error=error, status=status
        )
    )


async def _file_refused(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    reply_id: uuid.UUID,
    back: Back,
    fields: dict[str, str],
    *,
    error: str | FieldErrors,
    status: int,
) -> Response:
    """The page the filing form was on, again, with the ref that was typed and the error."""
    typed = fields.get("booking_ref", "")
    if back == "reply":
        return await _reply_page(
            request,
            session,
            staff,
            reply_id,
            error=error,
            status=status,
            typed_ref=typed,
            chosen=fields.get("task_id", ""),
        )
    failed = {"reply_id": str(reply_id), "booking_ref": typed}
    return await _tray(request, session, staff, error=error, status=status, failed=failed)


@router.get("/replies/{reply_id}", response_class=HTMLResponse)
async def reply_page(
    request: Request, session: DbSession, staff: DeskStaff, reply_id: PathId, filed: NoticeWord = ""
) -> Response:
    """One reply: its headers, full text, attachments and the task it is filed to."""
    notice = _("Reply filed.") if filed else ""
    return await _reply_page(request, session, staff, reply_id, notice=notice)


@router.get("/replies/{reply_id}/attachments/{attachment_id}")
async def attachment_download(
    session: DbSession, staff: DeskStaff, reply_id: PathId, attachment_id: PathId
) -> Response:
    """Download one attachment of a reply, with the content type it came with."""
    attachment = await replies.get_attachment(session, reply_id, attachment_id)
    return download(
        attachment.content, filename=attachment.filename, content_type=attachment.content_type
    )


@router.get("/replies/{reply_id}/raw")
async def raw_download(session: DbSession, staff: DeskStaff, reply_id: PathId) -> Response:
    """Download the mail exactly as received (.eml)."""
    raw = await replies.get_raw(session, reply_id)
    return download(raw, filename=f"reply-{reply_id}.eml", content_type="message/rfc822")


@router.get("/api/replies", response_model=ReplyPage)
async def api_replies(
    session: DbSession, staff: DeskStaff, unmatched: bool = False, page: PageNumber = 1
) -> Any:
    """Replies newest first; ``unmatched=true`` for the tray only."""
    return await replies.list_replies(session, unmatched=unmatched, page=page)


@router.get("/api/replies/{reply_id}", response_model=ReplyView)
async def api_reply(session: DbSession, staff: DeskStaff, reply_id: PathId) -> Any:
    """One reply with its attachments' names (not their contents)."""
    return await replies.get_reply(session, reply_id)


@router.post("/api/replies/{reply_id}/file", response_model=ReplyView)
async def api_file(
    session: DbSession, staff: DeskStaff, reply_id: PathId, body: FileRequest
) -> Any:
    """File a reply to the task chosen (``task_id``; 422 naming it if it is closed or
    unknown), else to a booking ref's task (422 naming ``booking_ref`` if we do not know it)."""
    return await replies.file_reply(
        session, reply_id=reply_id, booking_ref=body.booking_ref, staff=staff, task_id=body.task_id
    )
