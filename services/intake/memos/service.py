"""Internal communication forms (IN-7): special problems (often left by the night shift)
routed to a department and tracked to closure.

Who sees what: the raising side (booking agents, team leads, the no-show desk, which handles
the night shift's special problems) and the general manager see every form; each other desk
sees the forms routed to its department, plus those it raised itself.

How a form moves (``TRANSITIONS``): the department claims it (in progress, owner = who
claimed) and answers it (a reply is required); the raising side or the department closes it;
either may reopen it. A form is overdue while the department still owes an answer (open or in
progress) after its due time. Each change is a row in the thread and an audit entry, written in
the same transaction; raising one also publishes ``intake.memo_raised`` through the outbox.

Answering one publishes ``intake.memo_answered`` in the same transaction, for every form:
``complaint_id`` names the member's complaint when the form was raised for one
(``complaints.py``, CS-3 / SL-5: customer service records the answer as the department's
findings) and is None otherwise (published all the same, so a later consumer, such as the
IN-7 service level, needs no change here). Reopened and answered again, a form publishes again;
the consumer keeps the first answer.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.refs import ensure_booking_exists
from services.intake.bounds import checked_page
from services.intake.memos.models import memo, memo_reply
from services.intake.memos.schemas import (
    ACTIVE_STATUSES,
    DEPARTMENTS,
    STATUSES,
    MemoPage,
    MemoRequest,
    MemoView,
    ReplyRequest,
    ReplyView,
)
from services.intake.settings import SCHEMA, IntakeSettings
from shared import audit
from shared.auth import Role, Staff
from shared.clock import clock
from shared.errors import Conflict, Forbidden, NotFound
from shared.events.intake import MemoAnsweredV1, MemoRaisedV1
from shared.events.outbox import publish
from shared.i18n import _

RULE = "IN-7"
PAGE_SIZE = 25

DEPARTMENT_ROLES: dict[str, frozenset[Role]] = {
    "hotel_resources": frozenset({Role.HOTEL_RESOURCES, Role.RESOURCES_DIRECTOR}),
    "confirmation": frozenset({Role.CONFIRMATION_DESK}),
    "finance": frozenset({Role.FINANCE, Role.COLLECT_DESK}),
    "customer_service": frozenset({Role.CUSTOMER_SERVICE}),
    "booking": frozenset({Role.AGENT, Role.TEAM_LEAD}),
}
RAISING_ROLES = frozenset({Role.AGENT, Role.TEAM_LEAD, Role.NOSHOW_DESK})
SEE_ALL_ROLES = RAISING_ROLES | {Role.GENERAL_MANAGER}
MEMO_ROLES: tuple[Role, ...] = tuple(
    sorted(SEE_ALL_ROLES.union(*DEPARTMENT_ROLES.values()), key=lambda r: r.value)
)

# new status -> (statuses it may come from, who may make the move)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "in_progress": (frozenset({"open", "in_progress", "answered"}), "department"),
    "answered": (frozenset({"open", "in_progress"}), "department"),
    "closed": (frozenset({"open", "in_progress", "answered"}), "either"),
    "open": (frozenset({"in_progress", "answered", "closed"}), "either"),
}


# --- who may do what -------------------------------------------------------------------------


def departments_of(staff: Staff) -> list[str]:
    return [d for d, roles in DEPARTMENT_ROLES.items() if staff.has_any(frozenset(roles))]


def sees_all(staff: Staff) -> bool:
    return staff.has_any(frozenset(SEE_ALL_ROLES))


def can_see(staff: Staff, row: Any) -> bool:
    return (
        sees_all(staff)
        or row.raised_by == staff.username
        or row.department in departments_of(staff)
    )


def allowed_statuses(staff: Staff, row: Any) -> list[str]:
    """The statuses ``staff`` may move this form to now, in display order."""
    in_department = row.department in departments_of(staff)
    raising_side = row.raised_by == staff.username or staff.has_any(frozenset(RAISING_ROLES))
    allowed = []
    for status, (sources, who) in TRANSITIONS.items():
        permitted = in_department or (who == "either" and raising_side)
        claimed_by_me = status == "in_progress" and row.owner_username == staff.username
        if row.status in sources and permitted and not (claimed_by_me and row.status == status):
            allowed.append(status)
    return sorted(allowed, key=list(STATUSES).index)


# --- writes ----------------------------------------------------------------------------------


async def raise_memo(
    session: AsyncSession, *, staff: Staff, settings: IntakeSettings, request: MemoRequest
) -> MemoView:
    """Raise a form for a department (IN-7); due ``memo_due_hours`` later unless set."""
    await ensure_booking_exists(session, request.booking_ref)
    now = clock.now()
    hours = request.due_in_hours or settings.memo_due_hours
    values: dict[str, Any] = {
        **request.model_dump(exclude={"due_in_hours"}),
        "memo_id": uuid.uuid4(),
        "status": "open",
        "raised_by": staff.username,
        "raised_at": now,
        "due_at": now + timedelta(hours=hours),
        "updated_at": now,
    }
    memo_no = await session.scalar(memo.insert().values(**values).returning(memo.c.memo_no))
    raised = MemoRaisedV1(
        memo_no=memo_no, **{k: v for k, v in values.items() if k in MemoRaisedV1.model_fields}
    )
    await publish(session, schema=SCHEMA, payload=raised, occurred_at=now)
    await audit.record(
        session,
        schema=SCHEMA,
        actor=staff,
        action="raise",
        entity="memo",
        entity_id=values["memo_id"],
        after=raised.model_dump(mode="json"),
    )
    return await get_memo(session, staff=staff, memo_id=values["memo_id"])


async def respond(
    session: AsyncSession, *, staff: Staff, memo_id: uuid.UUID, request: ReplyRequest
) -> MemoView:
    """Reply in the thread and/or move the form to a new status, as one row of its thread."""
    row = await _visible(session, staff, memo_id, lock=True)
    changes = _status_change(staff, row, request) if request.status else {}
    if row.status == "closed" and not changes:
        raise Conflict(_("This memo is closed: reopen it to continue the thread."))
    now = clock.now()
    if changes:
        await session.execute(
            memo.update().where(memo.c.memo_id == memo_id).values(**changes, updated_at=now)
        )
    await session.execute(
        memo_reply.insert().values(
            reply_id=uuid.uuid4(),
            memo_id=memo_id,
            author=staff.username,
            body=request.body,
            status_from=row.status if changes else None,
            status_to=request.status if changes else None,
            written_at=now,
        )
    )
    if changes.get("status") == "answered":
        await _publish_answer(session, staff, row, request.body, changes["answered_at"])
    before = {k: _jsonable(getattr(row, k)) for k in changes}
    await audit.record(
        session,
        schema=SCHEMA,
        actor=staff,
        action=f"status:{request.status}" if changes else "reply",
        entity="memo",
        entity_id=memo_id,
        before=before or None,
        after={**{k: _jsonable(v) for k, v in changes.items()}, "reply": request.body},
    )
    return await get_memo(session, staff=staff, memo_id=memo_id)


async def _publish_answer(
    session: AsyncSession, staff: Staff, row: Any, reply: str, answered_at: datetime
) -> None:
    """The department's answer, for whoever waits on it (CS-3: customer service)."""
    answered = MemoAnsweredV1(
        memo_id=row.memo_id,
        memo_no=row.memo_no,
        department=row.department,
        complaint_id=row.complaint_id,
        reply=reply,
        answered_by=staff.username,
        answered_at=answered_at,
    )
    await publish(session, schema=SCHEMA, payload=answered, occurred_at=answered_at)


def _status_change(staff: Staff, row: Any, request: ReplyRequest) -> dict[str, Any]:
    """The columns a status change sets, after checking it is allowed for ``staff`` now."""
    status = request.status
    assert status is not None
    if status not in allowed_statuses(staff, row):
        raise _refusal(staff, row, status)
    if status == "answered" and not request.body:
        raise Conflict(_("Write the answer in the reply before marking the memo answered."))
    now = clock.now()
    columns: dict[str, dict[str, Any]] = {
        "in_progress": {"owner_username": staff.username},
        "answered": {"answered_at": now, "owner_username": row.owner_username or staff.username},
        "closed": {"closed_at": now},
        "open": {"owner_username": None, "closed_at": None, "answered_at": None},
    }
    return {"status": status, **columns[status]}


def _refusal(staff: Staff, row: Any, status: str) -> Exception:
    sources, who = TRANSITIONS[status]
    if status == "in_progress" and row.owner_username == staff.username:
        return Conflict("You are already working on this memo.")
    if row.status not in sources:
        now, then = STATUSES[row.status].lower(), STATUSES[status].lower()
        return Conflict(f"A memo that is {now} cannot become {then}.")
    either = " or whoever raised it" if who == "either" else ""
    return Forbidden(f"Only the {DEPARTMENTS[row.department]} department{either} may do that.")


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


# --- reads -----------------------------------------------------------------------------------


async def _visible(
    session: AsyncSession, staff: Staff, memo_id: uuid.UUID, *, lock: bool = False
) -> Any:
    query = select(memo).where(memo.c.memo_id == memo_id)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        raise NotFound(_("No such memo."))
    if not can_see(staff, row):
        message = _("This memo is routed to %(department)s, not to your desk.")
        raise Forbidden(message % {"department": _(DEPARTMENTS[row.department])})
    return row


def _is_overdue(row: Any) -> bool:
    return row.status in ACTIVE_STATUSES and row.due_at < clock.now()


async def get_memo(session: AsyncSession, *, staff: Staff, memo_id: uuid.UUID) -> MemoView:
    """One form with its thread, if ``staff`` may see it."""
    row = await _visible(session, staff, memo_id)
    replies = await session.execute(
        select(memo_reply).where(memo_reply.c.memo_id == memo_id).order_by(memo_reply.c.written_at)
    )
    return MemoView(
        **row._mapping,
        overdue=_is_overdue(row),
        replies=[ReplyView.model_validate(r, from_attributes=True) for r in replies],
    )


async def list_memos(
    session: AsyncSession,
    *,
    staff: Staff,
    department: str = "",
    status: str = "",
    overdue: bool = False,
    page: int = 1,
) -> MemoPage:
    """Forms ``staff`` may see, filtered; those still owed an answer first, soonest due."""
    filters = [_visibility(staff)]
    if department:
        filters.append(memo.c.department == department)
    if status == "active":
        filters.append(memo.c.status.in_(ACTIVE_STATUSES))
    elif status:
        filters.append(memo.c.status == status)
    if overdue:
        filters += [memo.c.status.in_(ACTIVE_STATUSES), memo.c.due_at < clock.now()]
    total = int(await session.scalar(select(func.count()).select_from(memo).where(*filters)) or 0)
    settled = memo.c.status.notin_(ACTIVE_STATUSES)
    query = (
        select(memo)
        .where(*filters)
        .order_by(settled, memo.c.due_at, memo.c.memo_no)
        .offset((checked_page(page) - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    items = [MemoView(**r._mapping, overdue=_is_overdue(r)) for r in await session.execute(query)]
    return MemoPage(items=items, page=page, page_size=PAGE_SIZE, total=total)


def _visibility(staff: Staff) -> Any:
    if sees_all(staff):
        return true()
    departments = departments_of(staff)
    return or_(
        memo.c.department.in_(departments) if departments else false(),
        memo.c.raised_by == staff.username,
    )
