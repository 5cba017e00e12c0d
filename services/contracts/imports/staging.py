"""A sheet COPYed into ``contracts.import_staging`` and checked there, set-based (issue 19).

A plain UTF-8 CSV goes to PostgreSQL as it is (``COPY FROM STDIN``; each line prefixed with the
job id by one bytes replace); any other sheet (.xlsx, GB18030, quoted cells that may span
lines, a header we would have to interpret) is read by ``shared.sheets`` as today and its
cells copied as records. One statement then checks every staged row with the rules of
``imports.sheet`` (HR-2, HR-4, HR-14) and writes the good ones into ``import_night``, night by
night.

The SQL check accepts only what it can prove the Python checker accepts (strict ISO dates,
plain decimals, a hyphenated hotel id). When it cannot accept a row — a bad row, or merely an
unusual spelling such as ``2026/1/5`` — it says so and ``imports.jobs`` runs the Python checker
over the sheet: that names each bad row, its column and why in the catalog's words (the report
is the same as before, by construction), or accepts the sheet, which then takes the old
row-by-row apply. A clean, plainly written sheet — every large import — never reaches Python
row by row.
"""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.hotels.schemas import MAX_RANGE_NIGHTS
from services.contracts.imports import sheet as imports
from services.contracts.imports.models import STAGED_COLUMNS
from shared.clock import clock
from shared.limits import date_window, limit_settings
from shared.money import exponent
from shared.sheets import cell_text


class NotPlain(Exception):
    """The sheet needs the Python reader or checker (its report, or an unusual spelling)."""


def plain_columns(first_line: str, delimiter: str) -> list[str] | None:
    """The staged column of each header cell, or None when the header needs ``sheet``'s
    checker (unknown, blank or repeated names, a required column missing)."""
    cells = next(csv.reader([first_line], delimiter=delimiter), [])
    names, errors = imports._header(list(cells))
    if errors or None in names or len(set(names)) != len(names):
        return None
    return [n for n in names if n is not None]


def _plain_csv(content: bytes) -> tuple[bytes, list[str], str] | None:
    """(body without the header, columns, delimiter) for a CSV COPY reads as the Python reader
    would, else None: not UTF-8, a quote (a cell may span lines, so line numbers would no
    longer be row numbers), or a blank line (the reader skips it, COPY would not)."""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if b'"' in content or b"\r" in content or b"\x00" in content:
        return None
    content = content.rstrip(b"\n")
    header, _, body = content.partition(b"\n")
    if not body or b"\n\n" in body:
        return None
    first = header.decode()
    delimiter = "\t" if "\t" in first and "," not in first else ","
    columns = plain_columns(first, delimiter)
    return None if columns is None else (body, columns, delimiter)


async def _driver(session: AsyncSession) -> Any:
    """The session's asyncpg connection, for COPY (SQLAlchemy has no COPY of its own)."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


async def stage(session: AsyncSession, job_id: uuid.UUID, filename: str, content: bytes) -> int:
    """Empty the job's staging rows (a rerun's leftovers), then COPY the sheet in; returns the
    number of data rows. ``SheetRefused`` for a file ``shared.sheets`` refuses unread."""
    await session.execute(
        text("DELETE FROM contracts.import_staging WHERE job_id = :job_id"), {"job_id": job_id}
    )
    driver = await _driver(session)
    plain = None if filename.lower().endswith(".xlsx") else _plain_csv(content)
    if plain is not None:
        body, columns, delimiter = plain
        prefix = f"{job_id}{delimiter}".encode()
        # One C-level replace puts the job id in front of every line: COPY sets no constants.
        data = prefix + body.replace(b"\n", b"\n" + prefix) + b"\n"
        try:
            status = await driver.copy_to_table(
                "import_staging",
                schema_name="contracts",
                source=io.BytesIO(data),
                columns=["job_id", *columns],
                format="csv",
                delimiter=delimiter,
            )
        except asyncpg.PostgresError as exc:  # a row with more or fewer cells than the header
            raise NotPlain from exc
        return int(status.split()[-1])
    table = await asyncio.to_thread(imports.read_table, filename, content)
    names, errors = imports._header(table[0][1]) if table else ([], [])
    if not table or errors:
        raise NotPlain
    records = [(job_id, *_cells(names, cells)) for _, cells in table[1:]]
    await driver.copy_records_to_table(
        "import_staging",
        schema_name="contracts",
        records=records,
        columns=["job_id", *STAGED_COLUMNS],
    )
    return len(records)


def _cells(names: list[str | None], cells: list[object]) -> list[str | None]:
    """A row's cells as text in STAGED_COLUMNS order (a typed Excel date as YYYY-MM-DD)."""
    named: dict[str, str] = {}
    for name, value in zip(names, cells, strict=False):
        if name is not None and value is not None:
            shown = value.isoformat()[:10] if hasattr(value, "isoformat") else cell_text(value)
            named[name] = shown
    return [named.get(column) for column in STAGED_COLUMNS]


# Every rule of ``sheet._check_row``: hotel by id or by its one English name, nights in the
# business's window, not past, at most MAX_RANGE_NIGHTS (HR-2), rooms 0..999, net and sell
# together, plain decimals in the hotel's currency (HR-14) within the money ceiling, sell not
# below net (HR-4), room type and rate plan of that hotel. ``ok`` is false for any row the
# Python checker might word differently; such a sheet is handed to it.
_CHECK = text(
    r"""
    WITH raw AS (
        SELECT s.seq,
            COALESCE(btrim(s.hotel_id), '') AS hotel_key, COALESCE(btrim(s.hotel), '') AS name,
            btrim(s.room_type) AS room_type, btrim(s.rate_plan) AS rate_plan,
            COALESCE(btrim(s.first_night), '') AS first_text,
            COALESCE(btrim(s.last_night), '') AS last_text,
            NULLIF(btrim(s.rooms), '') AS rooms, NULLIF(btrim(s.net), '') AS net,
            NULLIF(btrim(s.sell), '') AS sell
        FROM contracts.import_staging s WHERE s.job_id = :job_id
    ), dates AS (  -- each distinct text parsed once: a sheet repeats its dates
        SELECT t, contracts.import_date(t) AS night
        FROM (SELECT first_text FROM raw UNION SELECT last_text FROM raw) AS u(t)
    ), amounts AS (  -- likewise prices: plain decimals, their value and decimal places
        SELECT t, CAST(t AS numeric) AS value, length(split_part(t, '.', 2)) AS places
        FROM (SELECT net FROM raw UNION SELECT sell FROM raw OFFSET 0) AS u(t)
        WHERE t ~ '^[0-9]{1,12}(\.[0-9]{1,4})?$'  -- after the UNION (the fence): once a text
    ), hotels AS (  -- by id, or by the one hotel with that English name when no id is given
        SELECT k.hotel_key, k.name, h.hotel_id, h.currency, e.places, e.scale
        FROM (SELECT DISTINCT hotel_key, name FROM raw) AS k
        CROSS JOIN LATERAL (
            SELECT CASE
                WHEN k.hotel_key ~ '^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$'
                THEN CAST(k.hotel_key AS uuid)
                WHEN k.hotel_key = '' THEN (
                    SELECT min(CAST(n.hotel_id AS text))::uuid FROM contracts.hotel n
                    WHERE lower(n.name_en) = lower(k.name) HAVING count(*) = 1)
            END AS hotel_id
        ) AS pick
        JOIN contracts.hotel h ON h.hotel_id = pick.hotel_id
        JOIN unnest(CAST(:currencies AS text[]), CAST(:places AS int[]),
            CAST(:scales AS numeric[])) AS e(currency, places, scale) ON e.currency = h.currency
    ), checked AS (
        SELECT r.seq, h.hotel_id, h.currency, rt.room_type_id, rp.rate_plan_id,
            f.night AS first_night, l.night AS last_night, r.rooms,
            CASE WHEN an.places <= h.places THEN CAST(an.value * h.scale AS bigint) END AS net,
            CASE WHEN asl.places <= h.places THEN CAST(asl.value * h.scale AS bigint) END AS sell,
            (
                rt.room_type_id IS NOT NULL
                AND f.night BETWEEN GREATEST(CAST(:today AS date), CAST(:window_first AS date))
                    AND CAST(:window_last AS date)
                AND l.night BETWEEN f.night AND CAST(:window_last AS date)
                AND l.night - f.night < CAST(:max_nights AS integer)
                AND (r.rooms IS NOT NULL OR r.net IS NOT NULL OR r.sell IS NOT NULL)
                AND (r.rooms IS NULL OR r.rooms ~ '^[0-9]{1,3}$')
                AND (r.net IS NULL) = (r.sell IS NULL)
                AND (r.net IS NULL OR (rp.rate_plan_id IS NOT NULL
                    AND an.places <= h.places AND asl.places <= h.places
                    AND GREATEST(an.value, asl.value) * h.scale <= CAST(:ceiling AS bigint)
                    AND asl.value >= an.value))
            ) IS TRUE AS ok
        FROM raw r
        LEFT JOIN hotels h ON h.hotel_key = r.hotel_key AND h.name = r.name
        LEFT JOIN contracts.room_type rt ON rt.hotel_id = h.hotel_id AND rt.name = r.room_type
        LEFT JOIN contracts.rate_plan rp
            ON rp.room_type_id = rt.room_type_id AND rp.name = r.rate_plan
        LEFT JOIN dates f ON f.t = r.first_text
        LEFT JOIN dates l ON l.t = r.last_text
        LEFT JOIN amounts an ON an.t = r.net
        LEFT JOIN amounts asl ON asl.t = r.sell
    ), written AS (
        INSERT INTO contracts.import_night (job_id, seq, hotel_id, room_type_id, rate_plan_id,
            currency, night, rooms, net_minor, sell_minor)
        SELECT CAST(:job_id AS uuid), c.seq, c.hotel_id, c.room_type_id, c.rate_plan_id,
            c.currency, c.first_night + g.i, CAST(c.rooms AS integer), c.net, c.sell
        FROM checked c CROSS JOIN LATERAL generate_series(0, c.last_night - c.first_night) AS g(i)
        WHERE c.ok
    )
    SELECT count(*) FILTER (WHERE NOT ok) AS bad, count(*) AS total FROM checked
    """
)


async def check(session: AsyncSession, job_id: uuid.UUID) -> int:
    """Check the staged rows and expand the good ones into ``import_night``; returns the
    number of rows. ``NotPlain`` when any row is not provably good (nothing kept then)."""
    await session.execute(
        text("DELETE FROM contracts.import_night WHERE job_id = :job_id"), {"job_id": job_id}
    )
    currencies = list(await session.scalars(text("SELECT DISTINCT currency FROM contracts.hotel")))
    today = clock.today()
    first, last = date_window(today)
    params = {
        "job_id": job_id,
        "currencies": currencies,
        # A price has at most its currency's decimal places (HR-14); scale: to minor units.
        "places": [exponent(c.strip()) for c in currencies],
        "scales": [10 ** exponent(c.strip()) for c in currencies],
        "today": today,
        "window_first": first,
        "window_last": last,
        "max_nights": MAX_RANGE_NIGHTS,
        "ceiling": limit_settings().money_ceiling_minor,
    }
    # The CTEs carry no statistics, so the planner guesses millions of distinct dates and
    # prices and sorts the sheet for a merge join with each lookup; hashing the few hundred
    # distinct values is what fits (3.5 s → 2 s for 182,500 rows).
    await session.execute(text("SET LOCAL enable_mergejoin = off"))
    bad, total = (await session.execute(_CHECK, params)).one()
    await session.execute(text("SET LOCAL enable_mergejoin = on"))
    if bad or not total:
        raise NotPlain
    return int(total)


async def clear(session: AsyncSession, job_id: uuid.UUID) -> None:
    for table in ("import_staging", "import_night"):
        await session.execute(
            text(f"DELETE FROM contracts.{table} WHERE job_id = :job_id"), {"job_id": job_id}
        )
