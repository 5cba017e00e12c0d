"""A statement as a PDF (Chinese and English side by side, like confirmation's order sheets)
and as an Excel workbook (PAY-4, PAY-5).

The PDF is Jinja2 HTML rendered by the kit's worker processes (``shared.documents``: off the
event loop, a few at a time, each within its time cap). Every cell of the workbook goes
through ``shared.exports.append_row`` (a hotel name starting with "=" stays text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache, partial
from pathlib import Path

from jinja2 import Environment
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.settlement.models import SettlementLine, SettlementStatement
from services.payments.settlement.service import STATES
from shared import documents as kit
from shared import exports as kit_exports
from shared.clock import clock
from shared.exports import append_row
from shared.i18n import N_, _
from shared.money import Money, exponent

TEMPLATES = Path(__file__).parent / "templates"
COMPANY_ZH, COMPANY_EN = "roomline 结算中心", "Settlement centre"
# Ledger transaction kinds as a statement's reader knows them.
KIND_LABELS = {
    "stay_prepaid": N_("Prepaid stay"),
    "stay_commission": N_("Commission on a pay-at-hotel stay"),
    "no_show_fee": N_("No-show fee"),
    "deposit_drawdown": N_("Paid from the deposit"),
    "reversal": N_("Correction (reversal)"),
    "adjustment": N_("Adjustment"),
    "refund_due": N_("Refund due"),
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


@dataclass(frozen=True)
class Sums:
    payable: int
    commission: int
    no_show: int
    deposit: int


def sums_of(lines: list[SettlementLine]) -> Sums:
    return Sums(
        payable=sum(line.payable_minor for line in lines),
        commission=sum(line.commission_minor for line in lines),
        no_show=sum(line.no_show_fee_minor for line in lines),
        deposit=sum(line.deposit_minor for line in lines),
    )


async def lines_of(session: AsyncSession, statement: SettlementStatement) -> list[SettlementLine]:
    rows = await session.scalars(
        select(SettlementLine)
        .where(SettlementLine.statement_id == statement.statement_id)
        .order_by(SettlementLine.effective_on, SettlementLine.line_id)
    )
    return list(rows)


@lru_cache
def environment() -> Environment:
    env = kit.document_environment(TEMPLATES, service="payments")
    env.globals["kind_label"] = kind_label
    return env


def file_stem(statement: SettlementStatement) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", statement.reference)


def statement_html(statement: SettlementStatement, lines: list[SettlementLine]) -> str:
    def amount(minor: int) -> str:
        return Money(int(minor), statement.currency).format() if minor else "—"

    return (
        environment()
        .get_template("settlement_statement_pdf.html")
        .render(
            s=statement,
            lines=lines,
            sums=sums_of(lines),
            month=f"{statement.month:%Y-%m}",
            state=STATES[statement.state],
            amount=amount,
            company_zh=COMPANY_ZH,
            company_en=COMPANY_EN,
            printed_on=clock.today().isoformat(),
        )
    )


async def statement_pdf(session: AsyncSession, statement: SettlementStatement) -> bytes:
    html = statement_html(statement, await lines_of(session, statement))
    name = f"{file_stem(statement)}.pdf"
    return await kit.render_pdf(html, base_url=str(TEMPLATES), name=name)


def _major(minor: int, currency: str) -> Decimal:
    """An amount as the spreadsheet sums it: exact minor units scaled by the currency's
    exponent (a Decimal, never a float)."""
    return Decimal(int(minor)).scaleb(-exponent(currency))


async def statement_xlsx(session: AsyncSession, statement: SettlementStatement) -> bytes:
    """Two sheets: the statement's facts and totals, then one row per line."""
    lines = await lines_of(session, statement)
    book = Workbook()
    facts = book.active
    assert facts is not None
    facts.title = _("Statement")
    money = partial(_major, currency=statement.currency)
    for row in (
        [_("Reference"), statement.reference],
        [_("Hotel"), statement.hotel_name],
        [_("Month"), f"{statement.month:%Y-%m}"],
        [_("Currency"), statement.currency],
        [_("Revision"), statement.revision],
        [_("State"), _(STATES[statement.state])],
        [_("Payables"), money(statement.payables_minor)],
        [_("Deposit drawn"), money(statement.deposit_drawn_minor)],
        [_("Commission"), money(statement.commission_minor)],
        [_("No-show fees"), money(statement.no_show_fee_minor)],
        [_("Receivables"), money(statement.receivables_minor)],
        [_("Net (positive: we pay the hotel)"), money(statement.net_minor)],
    ):
        append_row(facts, row)
    sheet = book.create_sheet(_("Lines"))
    append_row(
        sheet,
        [_("Date"), _("Item"), _("Booking ref"), _("Payable"), _("Commission"),
         _("No-show fee"), _("Deposit"), _("Ledger transaction")],
    )  # fmt: skip
    for line in lines:
        append_row(
            sheet,
            [line.effective_on, _(kind_label(line.kind)), line.booking_ref or "",
             money(line.payable_minor), money(line.commission_minor),
             money(line.no_show_fee_minor), money(line.deposit_minor), str(line.transaction_id)],
        )  # fmt: skip
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    return kit_exports.xlsx_bytes(book)
