"""What the order sheet and the customer letter share: the rendered-document shape, the
PDF renderer, the hotel's file, the booking's facts and prices (CF-1, CF-6, CF-8).

Documents are Jinja2 HTML rendered to PDF by WeasyPrint, in the CJK font throughout so
Chinese guest and hotel names print (DejaVu and Symbola behind it for other scripts, emoji and
symbols; a character no font has prints as "[?]"). The HTML is made here; the PDF in the kit's
worker processes (``shared.documents``): off the event loop, at most
``ROOMLINE_DOCUMENT_RENDERS`` at once, each stopped after ``ROOMLINE_DOCUMENT_RENDER_SECONDS``
with a bilingual 503 (issue 14: one over-long guest name must not hold up every preview).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.confirmation.models import ConfirmationTask, HotelContact, HotelTerms
from services.confirmation.settings import ConfirmationSettings
from shared import documents as kit
from shared.errors import NotFound
from shared.money import Money

TEMPLATES = Path(__file__).parent / "ui" / "templates" / "pdf"
COMPANY_ZH, COMPANY_EN = "roomline 预订中心", "Reservation centre"
WEEKDAYS = ("周一 Mon", "周二 Tue", "周三 Wed", "周四 Thu", "周五 Fri", "周六 Sat", "周日 Sun")
# IN-4 payment modes, as the hotel and the customer read them.
PAYMENT_LABELS = {
    "prepaid": "预付，由我司代收代付 / Prepaid: roomline pays the hotel",
    "corporate_monthly": "公司月结，由我司支付 / Corporate monthly: roomline pays the hotel",
    "pay_at_hotel": "客人前台现付 / Guest pays at the hotel",
}
# What a signed pay-at-hotel-with-commission contract prints instead of prices (the hotel
# sets the guest's price at its desk and pays us commission afterwards, PAY-4).
HIDDEN_PRICE_NOTE = "房价由客人前台支付 / Guest pays at the hotel"
PriceBasis = Literal["net", "sell", "hidden"]
# Booking fields only the placement event carries (BookingPlacedV1, not the change events).
_PLACEMENT_ONLY = ("booker_company", "member_card")


@dataclass(frozen=True)
class RenderedDocument:
    content: bytes  # the PDF
    filename: str  # e.g. "RL1234-order-new.pdf"
    subject: str  # the e-mail subject; always contains the booking ref (CF-4 matching)
    body: str  # plain-text e-mail / fax cover, Chinese and English


@dataclass(frozen=True)
class PriceLine:
    night: str
    unit: str  # the price of one room that night
    amount: str  # unit × rooms


@dataclass(frozen=True)
class PriceView:
    basis: PriceBasis
    title: str
    lines: list[PriceLine]
    total: str
    note: str = ""


@dataclass(frozen=True)
class HotelFile:
    """The hotel as the documents name it; the contact may not have arrived yet."""

    name_zh: str
    name_en: str
    fax: str
    email: str
    phone: str
    arrangement: str | None  # the signed contract's payment arrangement, if on file

    @property
    def short_name(self) -> str:
        return self.name_zh or self.name_en


@lru_cache
def settings() -> ConfirmationSettings:
    return ConfirmationSettings()


@lru_cache
def environment() -> Environment:
    env = kit.document_environment(TEMPLATES, service="confirmation")
    env.filters["day"] = day
    return env


def day(value: date | str) -> str:
    """A stay date as the front desk reads it: "2026-03-20 周五 Fri"."""
    when = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{when.isoformat()} {WEEKDAYS[when.weekday()]}"


def render_html(template: str, context: dict[str, Any]) -> str:
    return environment().get_template(template).render(**context)


async def render_pdf(template: str, context: dict[str, Any], *, name: str = "") -> bytes:
    """Render a template to PDF bytes in the kit's worker processes, off the event loop;
    ``kit.DocumentRenderTimedOut`` (503, bilingual) when it takes too long. ``name`` (the
    file name) is what the error calls the document."""
    html = render_html(template, context)
    return await kit.render_pdf(html, base_url=str(TEMPLATES), name=name or template)


def safe_filename(stem: str) -> str:
    """A file name safe in a Content-Disposition header and on any file system."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", stem) + ".pdf"


async def load_task(session: AsyncSession, task_id: uuid.UUID) -> ConfirmationTask:
    task = await session.get(ConfirmationTask, task_id)
    if task is None:
        raise NotFound(f"No confirmation task {task_id}.", field="task_id")
    return task


async def hotel_file(session: AsyncSession, task: ConfirmationTask) -> HotelFile:
    """The hotel's names and numbers and its contract's arrangement; either may be missing,
    so the booking's own hotel name stands in for a file not received yet."""
    contact = await session.get(HotelContact, task.hotel_id)
    terms = await session.get(HotelTerms, task.hotel_id)
    zh, _, en = task.hotel_name.partition(" · ")
    return HotelFile(
        name_zh=contact.name_zh if contact else zh.strip(),
        name_en=contact.name_en if contact else en.strip(),
        fax=contact.fax if contact else "",
        email=contact.email if contact else "",
        phone=contact.phone if contact else "",
        arrangement=terms.payment_arrangement if terms else None,
    )


async def booking_facts(session: AsyncSession, task: ConfirmationTask) -> dict[str, Any]:
    """The booking event's payload, completed from the booking's first task: change events
    do not carry the booker's company or member card (IN-4), the placement did. Only keys
    absent from the change are taken, so a field a change cleared stays cleared."""
    facts = dict(task.snapshot or {})
    missing = [key for key in _PLACEMENT_ONLY if key not in facts]
    if task.kind != "new" and missing:
        first = await session.scalar(
            select(ConfirmationTask.snapshot).where(
                ConfirmationTask.booking_id == task.booking_id, ConfirmationTask.kind == "new"
            )
        )
        facts.update({key: (first or {}).get(key, "") for key in missing})
    return facts


def price_basis(payment_mode: str, arrangement: str | None) -> PriceBasis:
    """Which price the hotel's sheet shows (PAY-4). Prepaid and corporate-monthly stays are
    paid by us: the net price. A pay-at-hotel guest pays the sell price at the desk, unless
    the signed contract is pay-at-hotel with commission, where the hotel prices the stay
    itself and the sheet shows no amounts."""
    if payment_mode == "pay_at_hotel":
        return "hidden" if arrangement == "pay_at_hotel_commission" else "sell"
    return "net"


_PRICE_TITLES = {
    "net": "底价（我司支付酒店）/ Net price (roomline pays the hotel)",
    "sell": "房价（客人前台支付）/ Room rate (the guest pays at the hotel)",
    "hidden": "房价 / Room rate",
}


def price_view(facts: dict[str, Any], rooms: int, basis: PriceBasis) -> PriceView:
    """Per-night prices of one room, times the rooms, and the total, in minor units."""
    if basis == "hidden":
        return PriceView(basis, _PRICE_TITLES[basis], [], "", HIDDEN_PRICE_NOTE)
    currency = str(facts.get("currency") or "CNY")
    field = "net_minor" if basis == "net" else "sell_minor"
    total = Money(0, currency)
    lines = []
    for night in facts.get("nights") or []:
        unit = Money(int(night[field]), currency)
        total += unit * rooms
        lines.append(PriceLine(day(night["night"]), unit.format(), (unit * rooms).format()))
    if not lines:
        return PriceView(basis, _PRICE_TITLES[basis], [], "", "价格未记录 / Prices not on file")
    return PriceView(basis, _PRICE_TITLES[basis], lines, total.format())


def nights_of(task: ConfirmationTask) -> int:
    return (task.check_out - task.check_in).days


def shown(value: Any) -> str:
    """A field's value on paper; a blank prints as a dash so nobody wonders if it is cut."""
    if value in (None, "", []):
        return "—"
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
