"""Fold every stored line again into calls and quarter-hour sums (SL-1, issue 19).

Run once after migration ``metrics_0008_call_aggregates`` on a database that already holds
lines (``python -m services.metrics.refold``): the dashboard, the history and the scrape read
the sums, which the tailer only keeps from then on. Also the way to rebuild them should they
ever be in doubt. One transaction, under the ingest lock: the tailer and the webhook wait.
Lines are folded in time order (``at``, then ``line_id``), as the dashboard folded them before.
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics.ingest_fold import IngestFold
from services.metrics.ingest_store import fold_into_tables, lock
from shared.db import make_engine, make_sessionmaker

CHUNK = 20_000
EMPTY = "TRUNCATE metrics.call, metrics.call_interval, metrics.agent_interval, metrics.call_total"
SELECT_CHUNK = text(
    "SELECT line_id, extract(epoch FROM at)::bigint AS epoch, at, call_id, queue, agent, event,"
    " data FROM metrics.call_line WHERE (at, line_id) > (:at, :line_id)"
    " ORDER BY at, line_id LIMIT :chunk"
)


async def refold(session: AsyncSession) -> int:
    """Empty the calls and sums and fold every line again; returns how many lines."""
    await lock(session)
    await session.execute(text(EMPTY))
    after: dict[str, object] = {"at": datetime(1, 1, 1, tzinfo=UTC), "line_id": 0}
    folded = 0
    while True:
        rows = (await session.execute(SELECT_CHUNK, {**after, "chunk": CHUNK})).all()
        if not rows:
            return folded
        fold = IngestFold()
        fold.read_parts(
            [str(row.epoch), row.call_id, row.queue, row.agent, row.event, *row.data]
            for row in rows
        )
        await fold_into_tables(session, fold)
        folded += len(rows)
        after = {"at": rows[-1].at, "line_id": rows[-1].line_id}


async def main() -> None:
    engine = make_engine(os.environ["DATABASE_URL"], pool_size=1)
    async with make_sessionmaker(engine)() as session, session.begin():
        print(f"folded {await refold(session):,} lines")
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
