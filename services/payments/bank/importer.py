"""Importing a bank statement file (PAY-5): once per file, all or nothing.

The file's sha256 names the import: the same file again imports nothing and says when it was
imported (two uploads at once: the unique index lets one win, the other finds it). A file that
cannot be read stores nothing and says why (``parsers.Malformed``). Each statement keeps its
warnings (balances that do not add up are shown, never fixed); each entry, and each detail of a
batch entry, becomes a ``bank_entry``; then ``matching.auto_match`` settles what it can.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.bank import matching
from services.payments.bank.models import BankEntry, BankImport, BankStatement
from services.payments.bank.parsers import parse
from services.payments.bank.parsers.model import Malformed, Notice, ParsedEntry, ParsedStatement
from shared import audit
from shared.auth import Role, Staff, ensure_role
from shared.clock import clock
from shared.i18n import N_

MAX_BYTES = 5 * 1024 * 1024  # a month of a busy account in camt.053 is well under this


@dataclass(frozen=True)
class Imported:
    import_id: uuid.UUID
    duplicate: bool  # True: this file had been imported before; nothing was imported now
    statements: int
    entries: int
    matched: int
    warnings: int
    imported_by: str
    imported_at: datetime


def _summary(row: BankImport, *, duplicate: bool, warnings: int = 0) -> Imported:
    return Imported(
        row.import_id,
        duplicate,
        row.statements,
        row.entries,
        row.matched,
        warnings,
        row.imported_by,
        row.imported_at,
    )


async def _earlier(session: AsyncSession, digest: str) -> BankImport | None:
    return await session.scalar(select(BankImport).where(BankImport.sha256 == digest))


async def import_file(
    session: AsyncSession, *, file_name: str, content: bytes, staff: Staff
) -> Imported:
    """Store and match the statements of ``content``; raises ``Malformed`` storing nothing."""
    ensure_role(staff, Role.FINANCE)
    if len(content) > MAX_BYTES:
        raise Malformed(N_("The file is larger than %(mb)s MB."), mb=str(MAX_BYTES // 2**20))
    digest = hashlib.sha256(content).hexdigest()
    if earlier := await _earlier(session, digest):
        return _summary(earlier, duplicate=True)
    parsed = parse(content)
    import_id = uuid.uuid4()
    claimed = await session.scalar(
        insert(BankImport)
        .values(
            import_id=import_id,
            sha256=digest,
            file_name=file_name[:255],
            format=parsed.format,
            statements=0,
            entries=0,
            matched=0,
            warnings=[],
            imported_by=staff.username,
            imported_at=clock.now(),
        )
        .on_conflict_do_nothing(index_elements=["sha256"])
        .returning(BankImport.import_id)
    )
    if claimed is None:  # the same file, imported by a request that committed meanwhile
        earlier = await _earlier(session, digest)
        assert earlier is not None
        return _summary(earlier, duplicate=True)
    row = await session.get(BankImport, import_id)
    assert row is not None
    warnings = await _store(session, row, parsed.statements)
    await audit.record(
        session,
        schema="payments",
        actor=staff,
        action="bank_file_imported",
        entity="bank_import",
        entity_id=import_id,
        after={
            "file_name": file_name[:255],
            "sha256": digest,
            "statements": row.statements,
            "entries": row.entries,
            "matched": row.matched,
            "warnings": warnings,
        },
    )
    # The session does not autoflush: the page counting what is still unmatched reads the
    # database, so the matches must be there first.
    await session.flush()
    return _summary(row, duplicate=False, warnings=warnings)


async def _store(session: AsyncSession, row: BankImport, statements: list[ParsedStatement]) -> int:
    """Each statement not imported before (by another file: a re-export, another header), its
    entries, and the automatic matches; the number of warnings shown with them."""
    stored: list[BankEntry] = []
    warnings = 0
    skipped: list[dict[str, Any]] = []
    for statement in statements:
        if await _imported_before(session, statement):
            skipped.append(
                Notice(
                    SKIPPED, {"ref": statement.statement_id, "account": statement.account}
                ).as_json()
            )
            continue
        stored += await _store_statement(session, row.import_id, statement)
        warnings += len(statement.warnings)
        row.statements += 1
        row.entries += len(statement.entries)
    row.warnings = skipped
    row.matched = await matching.auto_match(session, stored, actor=row.imported_by)
    return warnings + len(skipped)


SKIPPED = N_(
    "Statement %(ref)s of account %(account)s was imported before from another file; it was "
    "skipped so that its entries are not counted twice."
)


async def _imported_before(session: AsyncSession, parsed: ParsedStatement) -> bool:
    """The same statement (account, number, dates and balances) is already stored. Two files
    holding it imported at once: the lock on its key lets one check and store at a time."""
    key = f"bank_statement:{parsed.account}:{parsed.statement_id}:{parsed.opening_date}"
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
    same = select(BankStatement.statement_id).where(
        BankStatement.account == parsed.account,
        BankStatement.currency == parsed.currency,
        BankStatement.bank_statement_ref == parsed.statement_id,
        BankStatement.opening_date.is_not_distinct_from(parsed.opening_date),
        BankStatement.closing_date.is_not_distinct_from(parsed.closing_date),
        BankStatement.opening_minor == parsed.opening_minor,
        BankStatement.closing_minor == parsed.closing_minor,
    )
    return await session.scalar(same.limit(1)) is not None


def _entry_row(statement_id: uuid.UUID, line: int, parsed: ParsedEntry) -> BankEntry:
    return BankEntry(
        statement_id=statement_id,
        line_no=line,
        amount_minor=parsed.amount_minor,
        currency=parsed.currency,
        booking_date=parsed.booking_date,
        value_date=parsed.value_date,
        reference=parsed.reference,
        counterparty=parsed.counterparty,
        bank_reference=parsed.bank_reference,
        reversal=parsed.reversal,
        state="batch" if parsed.details else "unmatched",
    )


async def _store_statement(
    session: AsyncSession, import_id: uuid.UUID, parsed: ParsedStatement
) -> list[BankEntry]:
    """The statement and its entries; the entries (and batch details) to match."""
    statement = BankStatement(
        statement_id=uuid.uuid4(),
        import_id=import_id,
        account=parsed.account,
        currency=parsed.currency,
        bank_statement_ref=parsed.statement_id,
        opening_minor=parsed.opening_minor,
        closing_minor=parsed.closing_minor,
        opening_date=parsed.opening_date,
        closing_date=parsed.closing_date,
        warnings=[w.as_json() for w in parsed.warnings],
    )
    session.add(statement)
    await session.flush()  # no relationship orders the inserts: the statement first
    entries = [_entry_row(statement.statement_id, n, e) for n, e in enumerate(parsed.entries, 1)]
    session.add_all(entries)
    await session.flush()  # the batch entries' ids, for their details
    details = [
        BankEntry(
            statement_id=statement.statement_id,
            parent_id=entry.entry_id,
            line_no=n,
            amount_minor=d.amount_minor,
            currency=entry.currency,
            booking_date=entry.booking_date,
            value_date=entry.value_date,
            reference=d.reference,
            counterparty=d.counterparty,
            bank_reference=d.bank_reference,
            reversal=entry.reversal,
            state="unmatched",
        )
        for entry, e in zip(entries, parsed.entries, strict=True)
        for n, d in enumerate(e.details, 1)
    ]
    session.add_all(details)
    await session.flush()
    return [e for e in entries if e.state == "unmatched"] + details


async def recent_imports(session: AsyncSession, limit: int = 20) -> list[BankImport]:
    query = select(BankImport).order_by(BankImport.imported_at.desc()).limit(limit)
    return list(await session.scalars(query))


async def statements_of(session: AsyncSession, import_id: uuid.UUID) -> list[BankStatement]:
    query = select(BankStatement).where(BankStatement.import_id == import_id)
    return list(await session.scalars(query.order_by(BankStatement.bank_statement_ref)))


async def entries_of(session: AsyncSession, statement_ids: list[uuid.UUID]) -> list[BankEntry]:
    query = select(BankEntry).where(BankEntry.statement_id.in_(statement_ids))
    order = (func.coalesce(BankEntry.parent_id, BankEntry.entry_id), BankEntry.entry_id)
    return list(await session.scalars(query.order_by(*order)))


async def unmatched(session: AsyncSession, limit: int = 500) -> list[BankEntry]:
    query = select(BankEntry).where(BankEntry.state == "unmatched")
    return list(
        await session.scalars(
            query.order_by(BankEntry.booking_date, BankEntry.entry_id).limit(limit)
        )
    )


async def unmatched_count(session: AsyncSession) -> int:
    query = select(func.count()).select_from(BankEntry).where(BankEntry.state == "unmatched")
    return await session.scalar(query) or 0
