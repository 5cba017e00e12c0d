"""Bookings of two hotels in the no-show desk's read model, and night-audit files, for the
night-audit tests (fixtures written here, never copied from the samples)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.noshow.models import AuditImport, CheckIn, ColumnMapping, StayBooking
from shared.db import unit_of_work

HOTEL_A = uuid.UUID("0a000000-0000-4000-8000-00000000000a")
HOTEL_B = uuid.UUID("0b000000-0000-4000-8000-00000000000b")
ARRIVAL = date(2026, 12, 5)
UPLOAD = "/noshow/night-audit"
API = "/noshow/api/night-audit"


def booking(ref: str, hotel_id: uuid.UUID, **changes: Any) -> StayBooking:
    values: dict[str, Any] = {
        "booking_id": uuid.uuid4(),
        "booking_ref": ref,
        "booking_version": 1,
        "hotel_id": hotel_id,
        "hotel_name": "Jinjiang Inn" if hotel_id == HOTEL_A else "Hanting Express",
        "check_in": ARRIVAL,
        "check_out": date(2026, 12, 7),
        "rooms": 1,
        "guest_names": ["Wang Fang"],
        "booker_name": "Li Lei",
        "booker_phone": "13800000000",
        "agent_username": "ana",
        "payment_mode": "prepaid",
        "currency": "CNY",
        "nights": [
            {"night": "2026-12-05", "sell_minor": 68800, "net_minor": 58480},
            {"night": "2026-12-06", "sell_minor": 68800, "net_minor": 58480},
        ],
        "status": "confirmed",
    }
    return StayBooking(**{**values, **changes})


async def add_bookings(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """RL-A1, RL-A2 at hotel A; RL-B1 at hotel B; all arriving on ARRIVAL."""
    async with unit_of_work(sessionmaker) as session:
        session.add_all(
            [
                booking("RL-A1", HOTEL_A),
                booking("RL-A2", HOTEL_A),
                booking("RL-B1", HOTEL_B),
            ]
        )


def csv_file(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_file(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def check_ins(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, tuple[bool, str]]:
    """booking_ref -> (stayed, recorded_by) of every recorded check-in."""
    query = select(StayBooking.booking_ref, CheckIn.stayed, CheckIn.recorded_by).join(
        CheckIn, CheckIn.booking_id == StayBooking.booking_id
    )
    async with sessionmaker() as session:
        return {r.booking_ref: (r.stayed, r.recorded_by) for r in await session.execute(query)}


async def imports(sessionmaker: async_sessionmaker[AsyncSession]) -> list[AuditImport]:
    async with sessionmaker() as session:
        query = select(AuditImport).order_by(AuditImport.imported_at)
        return list(await session.scalars(query))


async def mappings(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> dict[uuid.UUID, dict[str, str]]:
    async with sessionmaker() as session:
        rows = await session.execute(select(ColumnMapping.hotel_id, ColumnMapping.columns))
        return {r.hotel_id: r.columns for r in rows}


async def count_check_ins(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(CheckIn)) or 0)
