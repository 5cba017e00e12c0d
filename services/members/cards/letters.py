"""A card batch as one PDF for printing and as a CSV for the post office (CS-4).

The PDF: each member's welcome letter with the card number, Chinese first and then English,
one page each (the letter's box is one A4 page tall and clips, so a long address can never
push a letter onto two pages), followed by address label sheets of ``LABELS_PER_SHEET``
(3 × 8 on A4, the common 70 × 37 mm label stock), in the same order as the letters so
letters and labels pair up when the envelopes are stuffed. Ordered by postcode, then card:
the post office takes sorted mail.

WeasyPrint through the kit (``shared.documents``: worker processes, a time cap per render).
A daily batch is 300–400 letters (CS-4); so that no render nears the cap even on a busy
machine, the letters are rendered ``LETTERS_PER_RENDER`` at a time (about 1.5 s each on an
idle core) and the parts joined with pypdf.

The CSV: UTF-8 with a byte-order mark, so Excel opens the Chinese names and addresses
without asking; every cell through ``shared.exports`` (a name starting with "=" stays text).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.members.cards.mailing import Batch
from services.members.cards.models import card_mailing
from shared import documents as kit
from shared.exports import csv_writer
from shared.i18n import N_, both, translations

TEMPLATES = Path(__file__).parent / "templates"
LABELS_PER_SHEET = 24  # 3 columns × 8 rows
LETTERS_PER_RENDER = 25
CSV_BOM = "\ufeff"
CSV_HEADERS = (N_("Name"), N_("Address"), N_("City"), N_("Postcode"), N_("Card number"))


@dataclass(frozen=True)
class Letter:
    card_no: str
    name: str
    address: str
    postcode: str
    city: str


async def letters_of(session: AsyncSession, batch: Batch) -> list[Letter]:
    rows = await session.execute(
        select(
            card_mailing.c.card_no,
            card_mailing.c.name,
            card_mailing.c.address,
            card_mailing.c.postcode,
            card_mailing.c.city,
        )
        .where(card_mailing.c.batch_id == batch.batch_id)
        .order_by(card_mailing.c.postcode, card_mailing.c.card_no)
    )
    return [Letter(**row._mapping) for row in rows]


def _english(message: str, **params: object) -> str:
    return message % params if params else message


def _chinese(message: str, **params: object) -> str:
    translated = translations("zh_CN", "members").gettext(message)
    return translated % params if params else translated


@lru_cache
def environment() -> Environment:
    """The letters' own Jinja2: ``zh(N_(text))`` prints the Chinese, ``en(N_(text))`` the
    English source, whatever the screen language of whoever printed the batch."""
    env = kit.document_environment(TEMPLATES, service="members")
    env.globals.update(zh=_chinese, en=_english, N_=lambda message: message)
    return env


def sheets(letters: Sequence[Letter]) -> list[list[list[Letter | None]]]:
    """Labels in sheets of rows of three (the last sheet padded with blanks)."""
    out = []
    for start in range(0, len(letters), LABELS_PER_SHEET):
        labels: list[Letter | None] = list(letters[start : start + LABELS_PER_SHEET])
        labels += [None] * (LABELS_PER_SHEET - len(labels))
        out.append([labels[row : row + 3] for row in range(0, LABELS_PER_SHEET, 3)])
    return out


def label_pages(count: int) -> int:
    return -(-count // LABELS_PER_SHEET)


def batch_html(batch: Batch, letters: Sequence[Letter], labels: Sequence[Letter]) -> str:
    """``letters`` as letter pages, then ``labels`` as label sheets (either may be empty)."""
    return (
        environment()
        .get_template("cards_batch_pdf.html")
        .render(
            batch=batch,
            letters=letters,
            sheets=sheets(labels),
            dated=batch.business_date.isoformat(),
        )
    )


async def batch_pdf(session: AsyncSession, batch: Batch) -> bytes:
    """Letters, then label sheets: ``len(letters) + label_pages(len(letters))`` pages."""
    letters = await letters_of(session, batch)
    name = f"cards-batch-{batch.batch_no}.pdf"
    parts = [
        batch_html(batch, letters[start : start + LETTERS_PER_RENDER], [])
        for start in range(0, len(letters), LETTERS_PER_RENDER)
    ]
    parts.append(batch_html(batch, [], letters))
    # A few parts at a time (as many as the kit renders at once): a part that fails or
    # times out stops the rest instead of leaving them queued behind it.
    at_once = kit.renderer().renders
    rendered: list[bytes] = []
    for start in range(0, len(parts), at_once):
        rendered += await asyncio.gather(
            *(
                kit.render_pdf(html, base_url=str(TEMPLATES), name=name)
                for html in parts[start : start + at_once]
            )
        )
    writer = PdfWriter()
    for pdf in rendered:
        writer.append(PdfReader(io.BytesIO(pdf)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


async def batch_csv(session: AsyncSession, batch: Batch) -> bytes:
    """One row per letter for the post office, in the letters' order, headed in both languages."""
    letters = await letters_of(session, batch)
    out = io.StringIO()
    out.write(CSV_BOM)
    writer = csv_writer(out)
    writer.writerow([both(header, service="members") for header in CSV_HEADERS])
    for letter in letters:
        writer.writerow([letter.name, letter.address, letter.city, letter.postcode, letter.card_no])
    return out.getvalue().encode("utf-8")
