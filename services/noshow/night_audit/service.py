"""Night-audit input (NS-1): a hotel's check-in record, from an uploaded report (CSV or Excel,
one hotel or many), the desk typing it after a call, or the hotel's API call. Every way ends
in ``checkins.record_check_ins``.

All or nothing (HR-2, like the rate imports): every row is checked first (``rows``); one bad
row refuses the whole input, nothing is recorded, and an ``AuditImport`` marked ``refused``
keeps the report (written after the request's rollback, ``shared.db.after_rollback``).

Each hotel's report names its columns its own way: the upload maps our fields to its column
headers, and the mapping used is saved per hotel (``ColumnMapping``) and offered next time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.noshow.checkins import CheckInRow, record_check_ins
from services.noshow.models import AuditImport, ColumnMapping, StayBooking
from services.noshow.night_audit.rows import (
    FIELDS,
    REQUIRED,
    Problem,
    check_rows,
    from_sheet,
    report,
)
from shared.clock import clock
from shared.db import after_rollback
from shared.errors import InvalidInput
from shared.i18n import N_
from shared.sheets import SheetRefused, header_key, numbered_rows

MAX_BYTES = 2 * 1024 * 1024  # a night audit of a big hotel is a few hundred rows
MAX_ROWS = 5_000
# Headers recognised when no mapping names a field (case, spaces and dashes ignored).
DEFAULT_HEADERS: dict[str, tuple[str, ...]] = {
    "booking_ref": ("booking_ref", "booking", "reference", "预订号", "订单号"),
    "guest_name": ("guest_name", "guest", "name", "客人姓名", "姓名"),
    "arrival": ("arrival", "arrival_date", "到店日期", "入住日期"),
    "status": ("status", "状态"),
    "nights": ("nights", "晚数", "间夜"),
}


class AuditRefused(InvalidInput):
    """A night audit refused as a whole (422): ``problems`` names each row, field and why."""

    def __init__(self, problems: list[Problem], import_id: uuid.UUID) -> None:
        shown = "; ".join(f"row {p.row}, {p.field}: {p.english()}" for p in problems[:20])
        super().__init__(f"Nothing was recorded: {shown}", field="file")
        self.problems, self.import_id = problems, import_id

    def body(self) -> dict[str, Any]:
        return {**super().body(), "import_id": str(self.import_id), "rows": report(self.problems)}


@dataclass(frozen=True, slots=True)
class Recorded:
    import_id: uuid.UUID
    rows: int
    hotels: int


def _refuse(
    session: AsyncSession, problems: list[Problem], *, source: str, file_name: str, actor: str
) -> AuditRefused:
    """The refusal, and its record written once the request has rolled back."""
    import_id = uuid.uuid4()

    async def keep(fresh: AsyncSession) -> None:
        fresh.add(
            AuditImport(
                import_id=import_id,
                source=source,
                file_name=file_name[:255],
                state="refused",
                rows=0,
                report=report(problems),
                imported_by=actor,
                imported_at=clock.now(),
            )
        )

    after_rollback(session, keep)
    return AuditRefused(problems, import_id)


async def _apply(
    session: AsyncSession,
    rows: list[CheckInRow],
    *,
    source: str,
    file_name: str,
    actor: str,
) -> uuid.UUID:
    import_id = uuid.uuid4()
    session.add(
        AuditImport(
            import_id=import_id,
            source=source,
            file_name=file_name[:255],
            state="applied",
            rows=len(rows),
            report=[],
            imported_by=actor,
            imported_at=clock.now(),
        )
    )
    await session.flush()
    await record_check_ins(session, rows=rows, source=source, actor=actor, import_id=import_id)
    return import_id


def _columns(header: list[object], mapping: dict[str, str]) -> tuple[dict[int, str], list[Problem]]:
    """Column index -> our field, from the mapping (field -> header) or the default headers."""
    keys = [header_key(cell) for cell in header]
    found: dict[int, str] = {}
    problems: list[Problem] = []
    for name in FIELDS:
        wanted = mapping.get(name, "").strip()
        spellings = (header_key(wanted),) if wanted else DEFAULT_HEADERS[name]
        index = next((keys.index(s) for s in spellings if s in keys), None)
        if index is not None:
            found[index] = name
        elif wanted:
            problems.append(Problem(1, name, N_("no column named %(column)s"), {"column": wanted}))
        elif name in REQUIRED:
            problems.append(Problem(1, name, N_("no column for this field: map it")))
    return found, problems


def used_mapping(header: list[object], columns: dict[int, str]) -> dict[str, str]:
    """The header text each field was read from: what is saved for the hotel."""
    return {name: str(header[index]).strip() for index, name in columns.items()}


async def import_file(
    session: AsyncSession,
    *,
    file_name: str,
    content: bytes,
    mapping: dict[str, str],
    hotel_id: uuid.UUID | None,
    actor: str,
) -> Recorded:
    """An uploaded night-audit report, all or nothing; raises ``AuditRefused``."""
    refuse = {"source": "upload", "file_name": file_name, "actor": actor}
    try:
        table = numbered_rows(file_name, content, max_rows=MAX_ROWS, max_bytes=MAX_BYTES)
    except SheetRefused as exc:
        raise _refuse(session, from_sheet(exc.errors), **refuse) from exc
    if not table:
        raise _refuse(session, [Problem(0, "file", N_("the file is empty"))], **refuse)
    if hotel_id is not None and not mapping:
        mapping = await saved_mapping(session, hotel_id)
    header = table[0][1]
    columns, problems = _columns(header, mapping)
    if problems:
        raise _refuse(session, problems, **refuse)
    rows = [
        (number, {name: cells[i] for i, name in columns.items() if i < len(cells)})
        for number, cells in table[1:]
    ]
    hotels = frozenset({hotel_id}) if hotel_id is not None else None
    checked = await check_rows(session, rows, hotels=hotels)
    if checked.problems:
        raise _refuse(session, checked.problems, **refuse)
    import_id = await _apply(
        session, checked.rows, source="upload", file_name=file_name, actor=actor
    )
    for hotel in checked.hotels:
        await save_mapping(session, hotel, used_mapping(header, columns), actor=actor)
    return Recorded(import_id, len(checked.rows), len(checked.hotels))


async def import_rows(
    session: AsyncSession,
    *,
    rows: list[dict[str, object]],
    hotels: frozenset[uuid.UUID] | None,
    actor: str,
) -> Recorded:
    """The API's rows (numbered from 1 as sent), all or nothing; raises ``AuditRefused``."""
    checked = await check_rows(session, list(enumerate(rows, start=1)), hotels=hotels)
    if checked.problems:
        raise _refuse(session, checked.problems, source="api", file_name="", actor=actor)
    import_id = await _apply(session, checked.rows, source="api", file_name="", actor=actor)
    return Recorded(import_id, len(checked.rows), len(checked.hotels))


async def record_one(
    session: AsyncSession, *, booking_ref: str, status: str, nights: str, actor: str
) -> Recorded:
    """The desk typing the hotel's word on one booking after calling it."""
    cells: dict[str, object] = {"booking_ref": booking_ref, "status": status, "nights": nights}
    checked = await check_rows(session, [(1, cells)], hotels=None)
    if checked.problems:
        raise AuditRefused(checked.problems, uuid.uuid4())
    await record_check_ins(session, rows=checked.rows, source="desk", actor=actor)
    return Recorded(uuid.uuid4(), 1, 1)


async def saved_mapping(session: AsyncSession, hotel_id: uuid.UUID) -> dict[str, str]:
    """The columns the hotel's last accepted report used ({} if none yet)."""
    query = select(ColumnMapping.columns).where(ColumnMapping.hotel_id == hotel_id)
    return dict(await session.scalar(query) or {})


async def save_mapping(
    session: AsyncSession, hotel_id: uuid.UUID, columns: dict[str, str], *, actor: str
) -> None:
    values = {"columns": columns, "saved_by": actor, "saved_at": clock.now()}
    statement = insert(ColumnMapping).values(mapping_id=uuid.uuid4(), hotel_id=hotel_id, **values)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[ColumnMapping.hotel_id], set_=values)
    )


async def hotels(session: AsyncSession) -> list[tuple[uuid.UUID, str]]:
    """The hotels we hold bookings of, by name: the upload form's choice."""
    query = select(StayBooking.hotel_id, func.max(StayBooking.hotel_name).label("name"))
    rows = await session.execute(query.group_by(StayBooking.hotel_id))
    return sorted(((r.hotel_id, r.name) for r in rows), key=lambda hotel: hotel[1])


async def recent_imports(session: AsyncSession, limit: int = 20) -> list[AuditImport]:
    query = select(AuditImport).order_by(AuditImport.imported_at.desc()).limit(limit)
    return list(await session.scalars(query))
