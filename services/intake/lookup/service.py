"""Finding bookings (issue 15): one query box for a reference, a phone number in any spelling,
a member card or a name (Chinese or pinyin, in part), and the agent's own lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.repository import AnyRow
from services.intake.lookup import repository
from services.intake.lookup.keys import has_han, pinyin, plain
from services.intake.lookup.repository import Terms
from shared.clock import clock
from shared.phones import is_phone, phone_key

PAGE_SIZE = 20
# One Latin letter would match half the bookings (a Chinese character is two or more in pinyin).
MIN_NAME_KEY = 2


@dataclass(frozen=True, slots=True)
class Found:
    rows: list[AnyRow]
    page: int
    has_next: bool


def terms_of(query: str) -> Terms:
    """Every way ``query`` can name a booking. A phone number is only a phone number (its
    digits would otherwise match card numbers and names); anything else may be a reference, a
    card or a name. A Chinese name must match as typed and, through its pinyin, the index."""
    typed = query.strip()
    if not typed:
        return Terms()
    if is_phone(typed):
        return Terms(phone_key=phone_key(typed), card=typed.upper())
    compact = "".join(typed.split()).upper()
    key = plain(typed)
    names: tuple[str, ...] = ()
    if has_han(typed):
        names = tuple(k for k in (pinyin(typed), key) if k)
    elif len(key) >= MIN_NAME_KEY:
        names = (key,)
    return Terms(ref=compact, card=typed.upper(), names=names)


async def find(session: AsyncSession, query: str, page: int) -> Found:
    return await _page(session, repository.search(terms_of(query)), page)


async def made_today(session: AsyncSession, agent: str, page: int) -> Found:
    """The agent's bookings committed today (the business's day)."""
    today = clock.today()
    since = clock.start_of_local_day(today)
    until = clock.start_of_local_day(today + timedelta(days=1))
    return await _page(session, repository.made_by(agent, since, until), page)


async def pending(session: AsyncSession, agent: str, page: int, today: date | None = None) -> Found:
    """The agent's bookings not yet confirmed by the hotel or waiting for their call back."""
    return await _page(session, repository.open_of(agent, today or clock.today()), page)


async def _page(session: AsyncSession, query: Select[tuple[object, ...]], page: int) -> Found:
    rows, has_next = await repository.page_of(
        session, query, offset=(page - 1) * PAGE_SIZE, size=PAGE_SIZE
    )
    return Found(rows=rows, page=page, has_next=has_next)
