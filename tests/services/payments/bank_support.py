"""What the bank tests share (PAY-5): their statement files (written from the camt.053 and
MT940 specifications, ``bank_files/``), expected payments and what was stored and posted."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.payments.bank.models import BankEntry, BankImport, BankStatement
from services.payments.expected import expect
from services.payments.ledger.balances import balance_of
from shared.db import unit_of_work

FILES = Path(__file__).parent / "bank_files"
UPLOAD = "/payments/bank"
Sessionmaker = async_sessionmaker[AsyncSession]


def bank_file(name: str) -> bytes:
    return (FILES / name).read_bytes()


async def upload(client: Any, name: str, content: bytes | None = None) -> Any:
    body = bank_file(name) if content is None else content
    return await client.post_form(UPLOAD, {}, files={"file": (name, body)})


async def expected(
    sessionmaker: Sessionmaker,
    reference: str,
    amount_minor: int,
    *,
    direction: str = "in",
    currency: str = "CNY",
) -> uuid.UUID:
    """An open expected payment: a slip's bank transfer clearing its guest receivable."""
    booking_id = uuid.uuid4()
    async with unit_of_work(sessionmaker) as session:
        made = await expect(
            session,
            direction=direction,
            currency=currency,
            amount_minor=amount_minor,
            reference=reference,
            source="slip",
            source_id=uuid.uuid4(),
            clears_account=f"guest_receivable:{booking_id}",
            booking_id=booking_id,
        )
        return made.expected_payment_id


async def counts(sessionmaker: Sessionmaker) -> dict[str, int]:
    async with sessionmaker() as session:
        return {
            "imports": await session.scalar(select(func.count()).select_from(BankImport)) or 0,
            "statements": await session.scalar(select(func.count()).select_from(BankStatement))
            or 0,
            "entries": await session.scalar(select(func.count()).select_from(BankEntry)) or 0,
            "ledger": await session.scalar(text("SELECT count(*) FROM payments.ledger_transaction"))
            or 0,
        }


async def entries(sessionmaker: Sessionmaker) -> dict[str, BankEntry]:
    """The stored entries by bank reference."""
    async with sessionmaker() as session:
        rows = await session.scalars(select(BankEntry).order_by(BankEntry.entry_id))
        return {row.bank_reference: row for row in rows}


async def bank_balance(sessionmaker: Sessionmaker, currency: str = "CNY") -> int:
    async with sessionmaker() as session:
        return await balance_of(session, "bank", currency)


async def postings_of(sessionmaker: Sessionmaker, expected_id: uuid.UUID) -> list[tuple[str, int]]:
    """The legs posted for an expected payment (its key is the expectation)."""
    async with sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT e.account, e.amount_minor FROM payments.ledger_entry e "
                "JOIN payments.ledger_transaction t USING (transaction_id) "
                "WHERE t.idempotency_key = :key ORDER BY e.entry_id"
            ),
            {"key": f"expected:{expected_id}"},
        )
        return [(account, amount) for account, amount in rows]


async def audit_actions(sessionmaker: Sessionmaker) -> list[tuple[str, str]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT action, actor FROM payments.audit_log WHERE entity LIKE 'bank_%' "
                "ORDER BY audit_id"
            )
        )
        return [(action, actor) for action, actor in rows]
