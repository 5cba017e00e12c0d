"""Following queue_log (SL-1): lines appended while running are counted; after a rotation and
after a restart the totals are unchanged and nothing is counted twice; malformed lines are
kept as rejected and the rest is still read."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from services.metrics.tailer import QueueLogTailer
from tests.support.pipeline import eventually

BASE = 1_795_000_000  # 2026-11-18, an epoch second


def call(n: int, at: int) -> list[str]:
    """One answered call: enter, connect after 3 s, complete after 60 s."""
    call_id = f"{at}.{n}"
    return [
        f"{at}|{call_id}|sales|NONE|ENTERQUEUE||1391234{n:04d}|1",
        f"{at + 3}|{call_id}|sales|PJSIP/801|CONNECT|3|{call_id}9|2",
        f"{at + 63}|{call_id}|sales|PJSIP/801|COMPLETECALLER|3|60|1",
    ]


def append(path: Path, lines: list[str]) -> None:
    with path.open("a", encoding="utf-8") as log:
        log.writelines(line + "\n" for line in lines)


async def counts(sessionmaker) -> tuple[int, int]:
    async with sessionmaker() as session:
        stored = await session.scalar(text("SELECT count(*) FROM metrics.call_line"))
        rejected = await session.scalar(text("SELECT count(*) FROM metrics.rejected_line"))
        return int(stored or 0), int(rejected or 0)


async def test_sl1_rotation_and_restart_count_each_line_once(tmp_path, sessionmaker) -> None:
    path = tmp_path / "queue_log"
    append(path, call(1, BASE) + call(2, BASE + 100))
    tailer = QueueLogTailer(path, sessionmaker)
    assert await tailer.poll_once() == 6
    assert await counts(sessionmaker) == (6, 0)

    # Lines written to the old file just before logrotate renames it, then the new file.
    append(path, call(3, BASE + 200))
    path.rename(tmp_path / "queue_log.1")
    append(path, call(4, BASE + 300))
    assert await tailer.poll_once() == 6
    assert await counts(sessionmaker) == (12, 0)
    tailer.close()

    # A restart (a new tailer) resumes where the last one stopped: nothing twice.
    append(path, call(5, BASE + 400))
    restarted = QueueLogTailer(path, sessionmaker)
    assert await restarted.poll_once() == 3
    assert await restarted.poll_once() == 0
    assert await counts(sessionmaker) == (15, 0)
    restarted.close()

    # Down during a rotation: the stored file is finished from its sibling, then the new one.
    append(path, call(6, BASE + 500))
    path.rename(tmp_path / "queue_log.2")
    append(path, call(7, BASE + 600))
    after_rotation = QueueLogTailer(path, sessionmaker)
    assert await after_rotation.poll_once() == 6
    assert await counts(sessionmaker) == (21, 0)
    after_rotation.close()
    async with sessionmaker() as session:
        distinct = await session.scalar(
            text("SELECT count(DISTINCT (call_id, event)) FROM metrics.call_line")
        )
    assert distinct == 21


async def test_sl1_a_partial_line_waits_for_its_newline(tmp_path, sessionmaker) -> None:
    path = tmp_path / "queue_log"
    first, *rest = call(1, BASE)
    path.write_text(first + "\n" + rest[0][:10], encoding="utf-8")
    tailer = QueueLogTailer(path, sessionmaker)
    assert await tailer.poll_once() == 1
    with path.open("a", encoding="utf-8") as log:
        log.write(rest[0][10:] + "\n")
    assert await tailer.poll_once() == 1
    assert await counts(sessionmaker) == (2, 0)
    tailer.close()


async def test_sl1_malformed_lines_are_rejected_and_the_rest_read(tmp_path, sessionmaker) -> None:
    path = tmp_path / "queue_log"
    bad = [
        f"{BASE}|1.1|sales",  # missing fields
        "yesterday|1.2|sales|NONE|ENTERQUEUE||139|1",  # bad epoch
        f"{BASE}|1.3|sales|NONE|DANCE||",  # unknown event
    ]
    append(path, call(1, BASE)[:1] + bad + call(1, BASE)[1:])
    tailer = QueueLogTailer(path, sessionmaker)
    assert await tailer.poll_once() == 6
    assert await counts(sessionmaker) == (3, 3)
    async with sessionmaker() as session:
        reasons = list(
            await session.scalars(text("SELECT reason FROM metrics.rejected_line ORDER BY 1"))
        )
    assert len(reasons) == 3 and all(reasons)
    tailer.close()


async def test_sl1_lines_appended_while_running_are_counted(tmp_path, sessionmaker) -> None:
    path = tmp_path / "queue_log"
    path.touch()
    stop = asyncio.Event()
    running = asyncio.create_task(QueueLogTailer(path, sessionmaker).run(stop, interval=0.1))
    try:
        append(path, call(1, BASE))
        await eventually(lambda: _stored_is(sessionmaker, 3), timeout=10)
        append(path, call(2, BASE + 100))
        await eventually(lambda: _stored_is(sessionmaker, 6), timeout=10)
    finally:
        stop.set()
        await running


async def _stored_is(sessionmaker, expected: int) -> bool:
    return (await counts(sessionmaker))[0] == expected


async def test_issue19_a_failed_batch_folds_nothing_and_the_retry_folds_once(
    tmp_path, sessionmaker, monkeypatch
) -> None:
    """The lines, their calls and sums, and the position share one transaction: when the
    position cannot be written the batch leaves nothing behind, and the next poll stores and
    folds it exactly once."""
    from services.metrics import tailer as tailer_module

    path = tmp_path / "queue_log"
    append(path, call(1, BASE) + call(2, BASE + 100)[:2])  # call 2 still talking
    reader = QueueLogTailer(path, sessionmaker)
    good = tailer_module.UPSERT_POSITION
    monkeypatch.setattr(tailer_module, "UPSERT_POSITION", text("SELECT 1/0"))
    try:
        await reader.poll_once()
    except Exception:
        pass
    reader.close()
    assert await counts(sessionmaker) == (0, 0)
    monkeypatch.setattr(tailer_module, "UPSERT_POSITION", good)
    assert await QueueLogTailer(path, sessionmaker).poll_once() == 5
    append(path, call(2, BASE + 100)[2:])  # call 2 ends in a later batch
    assert await QueueLogTailer(path, sessionmaker).poll_once() == 1
    async with sessionmaker() as session:
        calls = (await session.execute(text("SELECT is_open FROM metrics.call"))).all()
        sums = (
            await session.execute(
                text("SELECT sum(offered), sum(answered), sum(handled) FROM metrics.call_interval")
            )
        ).one()
    assert [row.is_open for row in calls] == [False, False]
    assert tuple(sums) == (2, 2, 2)
