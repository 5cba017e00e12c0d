"""Lines stored and folded in one transaction (SL-1, issue 19).

``store_file_lines`` (the tailer) and ``store_events`` (the webhook) insert the lines, fold the
ones actually new (``ON CONFLICT DO NOTHING … RETURNING``: a retried post or a re-read file
folds nothing twice) into ``metrics.call`` and the quarter-hour sums, all in the caller's
transaction, so a crash keeps or loses the lines and their figures together. Ingest folds are
serialised by a transaction-level advisory lock: two posts touching one open call must not both
read it before either writes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics.call_figures import collector_paused
from services.metrics.ingest_fold import (
    ID,
    Call,
    IngestFold,
    Sums,
    dense,
    fold_sums,
)
from services.metrics.queue_log import Rejected

INGEST_LOCK = 19_0719  # pg_advisory_xact_lock key of the ingest fold
CALL_COLUMNS = (
    "call_no", "call_id", "queue", "entered", "caller", "outcome", "wait_seconds", "answered",
    "agent", "talk_seconds", "ended", "transferred", "ring_no_answer", "entry_logged", "is_open",
)  # fmt: skip
_TYPES = (
    "bigint", "text", "text", "bigint", "text", "text", "int", "bigint", "text", "int",
    "bigint", "boolean", "int", "boolean", "boolean",
)  # fmt: skip

INSERT_FILE_LINES = text(
    "INSERT INTO metrics.call_line"
    " (source, file_id, line_offset, at, call_id, queue, agent, event, data)"
    " SELECT :source, :file_id, u.o, to_timestamp(p[1]::bigint), left(p[2], 80),"
    " left(p[3], 80), left(p[4], 120), p[5], to_jsonb(coalesce(p[6:], '{}'))"
    " FROM unnest(CAST(:offsets AS bigint[]), CAST(:lines AS text[])) AS u(o, l),"
    " LATERAL string_to_array(u.l, '|') AS p"
    " ON CONFLICT (file_id, line_offset) DO NOTHING RETURNING line_offset"
)
INSERT_EVENTS = text(
    "INSERT INTO metrics.call_line"
    " (source, file_id, line_offset, at, call_id, queue, agent, event, data)"
    " SELECT :source, :file_id, u.o, u.at, u.c, u.q, u.a, u.e, CAST(u.d AS jsonb)"
    " FROM unnest(CAST(:offsets AS bigint[]), CAST(:ats AS timestamptz[]),"
    " CAST(:calls AS text[]), CAST(:queues AS text[]), CAST(:agents AS text[]),"
    " CAST(:events AS text[]), CAST(:datas AS text[])) AS u(o, at, c, q, a, e, d)"
    " ON CONFLICT (file_id, line_offset) DO NOTHING RETURNING line_offset"
)
INSERT_REJECTED = text(
    "INSERT INTO metrics.rejected_line (source, file_id, line_offset, line, reason)"
    " VALUES (:source, :file_id, :line_offset, :line, :reason)"
    " ON CONFLICT (file_id, line_offset) DO NOTHING"
)
SELECT_OPEN = text(
    "SELECT call_no, call_id, queue, extract(epoch FROM entered_at)::bigint AS entered, caller,"
    " outcome, wait_seconds, extract(epoch FROM answered_at)::bigint AS answered, agent,"
    " talk_seconds, extract(epoch FROM ended_at)::bigint AS ended, transferred,"
    " ring_no_answer, entry_logged, is_open"
    " FROM metrics.call WHERE is_open AND call_id = ANY(CAST(:ids AS text[]))"
)
_U = ", ".join(
    f"CAST(:{name} AS {kind}[])" for name, kind in zip(CALL_COLUMNS, _TYPES, strict=True)
)
UPSERT_CALLS = text(
    "INSERT INTO metrics.call (call_no, call_id, queue, caller, outcome, entered_at,"
    " entry_logged, wait_seconds, answered_at, agent, talk_seconds, ended_at, transferred,"
    " ring_no_answer, is_open)"
    " SELECT coalesce(u.call_no, nextval('metrics.call_call_no_seq')), left(u.call_id, 80),"
    " left(u.queue, 80), left(u.caller, 80), u.outcome, to_timestamp(u.entered), u.entry_logged,"
    " u.wait_seconds, to_timestamp(u.answered), left(u.agent, 120), u.talk_seconds,"
    " to_timestamp(u.ended), u.transferred, u.ring_no_answer, u.is_open"
    f" FROM unnest({_U}) AS u({', '.join(CALL_COLUMNS)})"
    " ON CONFLICT (call_no) DO UPDATE SET queue = excluded.queue, caller = excluded.caller,"
    " outcome = excluded.outcome, entered_at = excluded.entered_at,"
    " wait_seconds = excluded.wait_seconds, answered_at = excluded.answered_at,"
    " agent = excluded.agent, talk_seconds = excluded.talk_seconds,"
    " ended_at = excluded.ended_at, transferred = excluded.transferred,"
    " ring_no_answer = excluded.ring_no_answer, entry_logged = excluded.entry_logged,"
    " is_open = excluded.is_open"
)


def _add_arrays(column: str, table: str) -> str:
    """Element-wise sum of two count arrays of any lengths."""
    return (
        f"{column} = ARRAY(SELECT coalesce(x, 0) + coalesce(y, 0)"
        f" FROM unnest({table}.{column}, excluded.{column}) AS w(x, y))"
    )


_ADDED = (
    "offered", "answered", "abandoned", "timed_out", "exited", "answer_wait", "handled",
    "handle_seconds", "transferred", "ring_no_answer", "talk_seconds",
)  # fmt: skip


def _upsert_sums(table: str, key: str, width: int) -> Any:
    added = ", ".join(f"{name} = t.{name} + excluded.{name}" for name in _ADDED)
    return text(
        f"INSERT INTO metrics.{table} AS t (starts_at, {key}, offered, answered, abandoned,"
        " timed_out, exited, answer_wait, longest_wait, handled, handle_seconds, transferred,"
        " ring_no_answer, talk_seconds, answered_waits)"
        f" VALUES (to_timestamp(:starts_at), left(:key, {width}), :offered, :answered,"
        " :abandoned, :timed_out, :exited, :answer_wait, :longest_wait, :handled,"
        " :handle_seconds, :transferred, :ring_no_answer, :talk_seconds, :answered_waits)"
        f" ON CONFLICT (starts_at, {key}) DO UPDATE SET {added},"
        " longest_wait = greatest(t.longest_wait, excluded.longest_wait),"
        f" {_add_arrays('answered_waits', 't')}"
    )


UPSERT_QUEUE_SUMS = _upsert_sums("call_interval", "queue", 80)
UPSERT_AGENT_SUMS = _upsert_sums("agent_interval", "agent", 120)
UPSERT_TOTALS = text(
    "INSERT INTO metrics.call_total AS t (queue, offered, answered, abandoned, answered_waits,"
    " offered_waits, wait_sum, handle_counts, handle_sum)"
    " VALUES (left(:queue, 80), :offered, :answered, :abandoned, :answered_waits,"
    " :offered_waits, :wait_sum, :handle_counts, :handle_sum)"
    " ON CONFLICT (queue) DO UPDATE SET offered = t.offered + excluded.offered,"
    " answered = t.answered + excluded.answered, abandoned = t.abandoned + excluded.abandoned,"
    " wait_sum = t.wait_sum + excluded.wait_sum, handle_sum = t.handle_sum + excluded.handle_sum,"
    f" {_add_arrays('answered_waits', 't')}, {_add_arrays('offered_waits', 't')},"
    f" {_add_arrays('handle_counts', 't')}"
)
SUM_NAMES = (
    "offered", "answered", "abandoned", "timed_out", "exited", "answer_wait", "longest_wait",
    "handled", "handle_seconds", "transferred", "ring_no_answer", "talk_seconds",
)  # fmt: skip


async def store_file_lines(
    session: AsyncSession, source: str, file_id: str, lines: Sequence[tuple[int, str]]
) -> int:
    """A tailed file's lines (byte offset, text without newline); returns how many rejected."""
    fold = IngestFold()
    with collector_paused():
        fold.read_lines([line for _, line in lines])
    rejected = {index: reason for index, reason in fold.rejected}
    offsets = [offset for index, (offset, _) in enumerate(lines) if index not in rejected]
    texts = [line for index, (_, line) in enumerate(lines) if index not in rejected]
    await lock(session)
    if texts:
        params = {"source": source, "file_id": file_id, "offsets": offsets, "lines": texts}
        new = set((await session.execute(INSERT_FILE_LINES, params)).scalars())
        if len(new) != len(texts):  # some were stored before (a file read again): fold the rest
            fold = IngestFold()
            fold.read_lines(
                [line for offset, line in zip(offsets, texts, strict=True) if offset in new]
            )
        await fold_into_tables(session, fold)
    if rejected:
        rows = [_rejected(source, file_id, lines, i, why) for i, why in rejected.items()]
        await session.execute(INSERT_REJECTED, rows)
    return len(rejected)


def _rejected(
    source: str, file_id: str, lines: Sequence[tuple[int, str]], index: int, why: Rejected
) -> dict[str, object]:
    offset, line = lines[index]
    row = {"source": source, "file_id": file_id, "line_offset": offset}
    return {**row, "line": line[:2000], "reason": why.reason}


async def store_events(
    session: AsyncSession, source: str, file_id: str, events: Sequence[dict[str, Any]]
) -> int:
    """Posted events (``webhook._row``); returns how many were new. The new ones are folded
    in time order, as their lines would stand in a log."""
    await lock(session)
    columns = {
        "offsets": [e["line_offset"] for e in events],
        "ats": [e["at"] for e in events],
        "calls": [e["call_id"] for e in events],
        "queues": [e["queue"] for e in events],
        "agents": [e["agent"] for e in events],
        "events": [e["event"] for e in events],
        "datas": [e["data_json"] for e in events],
    }
    params = {"source": source, "file_id": file_id, **columns}
    new = set((await session.execute(INSERT_EVENTS, params)).scalars())
    fresh = []
    for event in events:
        if event["line_offset"] in new:
            new.discard(event["line_offset"])  # the same id twice in one post: once
            fresh.append(event)
    fresh.sort(key=lambda e: e["at"])
    fold = IngestFold()
    fold.read_parts(_parts(event) for event in fresh)
    await fold_into_tables(session, fold)
    return len(fresh)


def _parts(event: dict[str, Any]) -> list[str]:
    epoch = str(int(event["at"].timestamp()))
    return [epoch, event["call_id"], event["queue"], event["agent"], event["event"], *event["data"]]


async def lock(session: AsyncSession) -> None:
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": INGEST_LOCK})


async def fold_into_tables(session: AsyncSession, fold: IngestFold) -> None:
    """Load the open calls the batch continues, finish the fold, write calls and sums."""
    if fold.deferred:
        by_stored_id = {call_id[:80]: call_id for call_id in fold.deferred}
        result = await session.execute(SELECT_OPEN, {"ids": list(by_stored_id)})
        loaded = []
        for row in result:
            call: Call = list(row)
            call[ID] = by_stored_id[row.call_id]
            loaded.append(call)
        fold.resume(loaded)
    with collector_paused():
        calls, sums = fold_sums(fold)
        columns = _call_columns(calls)
    if calls:
        await session.execute(UPSERT_CALLS, columns)
    await _write_sums(session, sums)


def _call_columns(calls: list[Call]) -> dict[str, list[Any]]:
    columns: dict[str, list[Any]] = {name: [] for name in CALL_COLUMNS}
    names = list(columns.values())
    for call in calls:
        for index, value in enumerate(call):
            names[index].append(value)
    return columns


async def _write_sums(session: AsyncSession, sums: Sums) -> None:
    for rows, statement in ((sums.queues, UPSERT_QUEUE_SUMS), (sums.agents, UPSERT_AGENT_SUMS)):
        params = [
            {
                "starts_at": bucket,
                "key": key,
                **dict(zip(SUM_NAMES, row[:12], strict=True)),
                "answered_waits": dense(row[12]),
            }
            for (bucket, key), row in rows.items()
        ]
        if params:
            await session.execute(statement, params)
    totals = [
        {
            "queue": queue,
            "offered": t[0],
            "answered": t[1],
            "abandoned": t[2],
            "answered_waits": dense(t[3]),
            "offered_waits": dense(t[4]),
            "wait_sum": t[5],
            "handle_counts": dense(t[6]),
            "handle_sum": t[7],
        }
        for queue, t in sums.totals.items()
    ]
    if totals:
        await session.execute(UPSERT_TOTALS, totals)
