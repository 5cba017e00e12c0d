"""Member records and the major-complaint flag (CS-1, IN-8).

Customer service creates and edits members (card number, name, phones, level) and, when a
member's major complaint is on file, sets the flag with a note and the complaint's date; the
booking desk then offers compensation at the member's next booking (IN-8) and customer
service clears the flag once it was given. Every change is audited and announced as a full
snapshot, ``members.member_updated`` v1, through the outbox in the same transaction; intake
keeps its own copy (``services/intake/callers/service.py``).

Edits carry the ``version_no`` the editor saw: a member changed by someone else since then is
refused (409) rather than silently overwritten.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from sqlalchemy import any_, func, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.members.models import member
from services.members.profile.models import card_change
from services.members.settings import SCHEMA
from shared import audit
from shared.auth import Staff
from shared.clock import clock
from shared.errors import Conflict, NotFound
from shared.events.members import MemberUpdatedV1
from shared.events.outbox import publish
from shared.i18n import _
from shared.limits import BusinessDate, Uuid, Version, check_text
from shared.phones import is_phone, phone_key

LEVELS: tuple[str, ...] = ("standard", "silver", "gold", "platinum")
PAGE_SIZE = 50
# Issue 14: the bounds of what customer service types (no control characters anywhere).
MAX_PHONES = 5
PHONE_MAX_CHARS = 40  # 7 to 20 digits (shared.phones) with spaces, dashes, "+86", brackets
CardNo = Annotated[
    str,
    StringConstraints(min_length=4, max_length=40, pattern=r"^[A-Za-z0-9-]+$"),
    AfterValidator(check_text),
]
MemberName = Annotated[
    str, StringConstraints(min_length=1, max_length=120), AfterValidator(check_text)
]
PhoneText = Annotated[
    str, StringConstraints(max_length=PHONE_MAX_CHARS), AfterValidator(check_text)
]
ComplaintNote = Annotated[
    str, StringConstraints(min_length=1, max_length=500), AfterValidator(check_text)
]
Email = Annotated[
    str,
    StringConstraints(max_length=200, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    AfterValidator(check_text),
]
Address = Annotated[str, StringConstraints(max_length=300), AfterValidator(check_text)]
Postcode = Annotated[str, StringConstraints(max_length=12, pattern=r"^[0-9A-Za-z -]*$")]
City = Annotated[str, StringConstraints(max_length=60), AfterValidator(check_text)]
# A member's id in a path: a UUID, whose text is never longer than 36 characters.
MemberId = Uuid


class MemberIn(BaseModel):
    """A member as customer service types it."""

    model_config = ConfigDict(str_strip_whitespace=True)

    card_no: CardNo
    name: MemberName
    phones: list[PhoneText] = Field(default=[], max_length=MAX_PHONES)
    level: Literal["standard", "silver", "gold", "platinum"] = "standard"
    # Issue 18 (CS-1, CS-4): contact details and where the card is posted.
    email: Email = ""
    address: Address = ""
    postcode: Postcode = ""
    city: City = ""
    joined_via: Literal["desk", "online"] = "desk"

    @field_validator("card_no")
    @classmethod
    def _upper(cls, card_no: str) -> str:
        return card_no.upper()  # cards are read out on the phone: one spelling

    @field_validator("phones")
    @classmethod
    def _phones(cls, phones: list[str]) -> list[str]:
        kept: dict[str, str] = {}
        for typed in (p.strip() for p in phones):
            if not typed:
                continue
            if not is_phone(typed):
                raise ValueError(
                    _("“%(typed)s” is not a phone number (7 to 20 digits)") % {"typed": typed}
                )
            kept.setdefault(phone_key(typed), typed)  # the same number twice: keep one
        return list(kept.values())


CardReason = Annotated[str, StringConstraints(max_length=200), AfterValidator(check_text)]


class MemberEdit(MemberIn):
    version_no: Annotated[Version, Field(ge=1)]  # the version the editor saw
    # CS-1: why the card number changes (a lost card); kept in its change history.
    card_reason: CardReason = ""


class ComplaintFlagIn(BaseModel):
    """IN-8: what the agent will read out, and when the complaint was made."""

    model_config = ConfigDict(str_strip_whitespace=True)

    note: ComplaintNote
    complaint_on: BusinessDate | None = None  # defaults to today; inside shared.limits' window

    @field_validator("complaint_on")
    @classmethod
    def _not_future(cls, day: date | None) -> date | None:
        if day is not None and day > clock.today():
            raise ValueError(
                _("the complaint cannot be dated after today (%(today)s)")
                % {"today": clock.today()}
            )
        return day


class MemberView(BaseModel):
    member_id: uuid.UUID
    card_no: str
    name: str
    phones: list[str]
    level: str
    complaint_open: bool
    complaint_note: str
    complaint_on: date | None
    email: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    joined_via: str = "desk"
    joined_on: date | None = None
    version_no: int
    created_at: datetime
    updated_at: datetime


class MemberPage(BaseModel):
    members: list[MemberView]
    total: int
    page: int
    pages: int


def _view(row: Any) -> MemberView:
    return MemberView.model_validate(row._mapping, from_attributes=False)


async def get_member(session: AsyncSession, *, member_id: uuid.UUID) -> MemberView:
    row = (await session.execute(select(member).where(member.c.member_id == member_id))).first()
    if row is None:
        raise NotFound(_("No member %(id)s.") % {"id": member_id})
    return _view(row)


async def list_members(session: AsyncSession, *, q: str = "", page: int = 1) -> MemberPage:
    """Members by card number, name or phone (any spelling), newest change first."""
    query = select(member)
    if q.strip():
        text = q.strip()
        matches = [member.c.card_no == text.upper(), member.c.name.ilike(f"%{text}%")]
        if key := phone_key(text):
            matches.append(literal(key) == any_(member.c.phone_keys))
        query = query.where(or_(*matches))
    total = int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = await session.execute(
        query.order_by(member.c.updated_at.desc(), member.c.card_no)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return MemberPage(members=[_view(r) for r in rows], total=total, page=page, pages=pages)


async def _ensure_card_free(
    session: AsyncSession, card_no: str, member_id: uuid.UUID | None = None
) -> None:
    query = select(member.c.name).where(member.c.card_no == card_no)
    if member_id is not None:
        query = query.where(member.c.member_id != member_id)
    if (holder := await session.scalar(query)) is not None:
        raise Conflict(
            _("Card %(card)s already belongs to %(holder)s.") % {"card": card_no, "holder": holder},
            field="card_no",
        )


async def create_member(session: AsyncSession, *, actor: Staff, data: MemberIn) -> MemberView:
    await _ensure_card_free(session, data.card_no)
    now = clock.now()
    values = {
        **data.model_dump(),
        "member_id": uuid.uuid4(),
        "phone_keys": [phone_key(p) for p in data.phones],
        "complaint_open": False,
        "complaint_note": "",
        "complaint_on": None,
        "joined_on": clock.today(),
        "version_no": 1,
        "created_at": now,
        "updated_at": now,
    }
    row = (await session.execute(insert(member).values(**values).returning(member))).one()
    return await _announce(session, actor, "create", None, _view(row))


async def update_member(
    session: AsyncSession, *, actor: Staff, member_id: uuid.UUID, data: MemberEdit
) -> MemberView:
    """CS-1: profile and card number changes."""
    before = await get_member(session, member_id=member_id)
    await _ensure_card_free(session, data.card_no, member_id)
    changes = {**data.model_dump(exclude={"version_no", "card_reason"})}
    changes["phone_keys"] = [phone_key(p) for p in data.phones]
    after = await _write(session, before, data.version_no, changes)
    if after.card_no != before.card_no:
        await record_card_change(
            session, actor=actor, before=before, after=after, reason=data.card_reason
        )
    if after.level != before.level:
        # CS-1: a level change is its own audit entry, so the history shows it by name.
        await audit.record(
            session,
            schema=SCHEMA,
            actor=actor,
            action="change_level",
            entity="member",
            entity_id=after.member_id,
            before={"level": before.level},
            after={"level": after.level},
        )
    return await _announce(session, actor, "update", before, after)


async def record_card_change(
    session: AsyncSession, *, actor: Staff, before: MemberView, after: MemberView, reason: str
) -> None:
    """CS-1: the card number changed (a lost card, a replacement): kept for the inquiry."""
    await session.execute(
        insert(card_change).values(
            member_id=after.member_id,
            old_card=before.card_no,
            new_card=after.card_no,
            reason=reason,
            changed_by=actor.username,
            changed_at=after.updated_at,
        )
    )


async def set_complaint(
    session: AsyncSession, *, actor: Staff, member_id: uuid.UUID, data: ComplaintFlagIn
) -> MemberView:
    """IN-8: a major complaint is open; agents offer compensation at the next booking."""
    before = await get_member(session, member_id=member_id)
    changes = {
        "complaint_open": True,
        "complaint_note": data.note,
        "complaint_on": data.complaint_on or clock.today(),
    }
    after = await _write(session, before, before.version_no, changes)
    return await _announce(session, actor, "flag_complaint", before, after)


async def clear_complaint(
    session: AsyncSession, *, actor: Staff, member_id: uuid.UUID
) -> MemberView:
    """Compensation was given (or the complaint withdrawn): agents stop seeing the prompt."""
    before = await get_member(session, member_id=member_id)
    if not before.complaint_open:
        return before  # clearing twice changes nothing and announces nothing
    changes = {"complaint_open": False, "complaint_note": "", "complaint_on": None}
    after = await _write(session, before, before.version_no, changes)
    return await _announce(session, actor, "clear_complaint", before, after)


async def _write(
    session: AsyncSession, before: MemberView, seen_version: int, changes: dict[str, Any]
) -> MemberView:
    """Apply ``changes`` if the member is still at ``seen_version`` (optimistic lock)."""
    row = (
        await session.execute(
            update(member)
            .where(member.c.member_id == before.member_id, member.c.version_no == seen_version)
            .values(**changes, version_no=member.c.version_no + 1, updated_at=clock.now())
            .returning(member)
        )
    ).first()
    if row is None:
        raise Conflict(
            _(
                "%(name)s's record was changed by someone else since you opened it; "
                "reload it and make your change again."
            )
            % {"name": before.name},
            field="version_no",
        )
    return _view(row)


async def _announce(
    session: AsyncSession,
    actor: Staff,
    action: str,
    before: MemberView | None,
    after: MemberView,
) -> MemberView:
    """The audit row and the full-snapshot event, in the change's transaction."""
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action=action,
        entity="member",
        entity_id=after.member_id,
        before=before.model_dump(mode="json") if before else None,
        after=after.model_dump(mode="json"),
    )
    payload = MemberUpdatedV1(
        **after.model_dump(
            include={"member_id", "version_no", "card_no", "phones", "level", "updated_at"}
            | {"complaint_open", "complaint_note", "complaint_on"}
        ),
        full_name=after.name,
    )
    await publish(session, schema=SCHEMA, payload=payload, occurred_at=after.updated_at)
    return after
