"""Shared set-up for the hand-run benchmarks: a throwaway database and Redis, stats."""

from __future__ import annotations

import os
import statistics
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.infra import TestInfra


@contextmanager
def bench_infra() -> Iterator[TestInfra]:
    """Fresh database (and embedded servers unless URLs are set), migrated, env exported."""
    infra = TestInfra()
    infra.start()
    os.environ.update(
        {
            "DATABASE_URL": infra.database_url,
            "REDIS_URL": infra.redis_url,
            "ROOMLINE_QUEUE_PREFIX": "bench",
            "ROOMLINE_EVENT_JOB_TIMEOUT_SECONDS": "30",
            "ROOMLINE_RELAY_POLL_SECONDS": "1.0",
            "ROOMLINE_LOG_LEVEL": "WARNING",
        }
    )
    from migrations.run import upgrade

    upgrade(infra.database_url)
    try:
        yield infra
    finally:
        infra.stop()


def p99(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100)[98]


def report(name: str, ours: dict[str, float], raw: dict[str, float]) -> None:
    ratio = ours["per_second"] / raw["per_second"] if raw["per_second"] else 0.0
    print(f"\n{name}")
    print(f"  raw baseline : {raw['per_second']:8.1f}/s   p99 {raw['p99'] * 1000:7.1f} ms")
    print(f"  roomline     : {ours['per_second']:8.1f}/s   p99 {ours['p99'] * 1000:7.1f} ms")
    print(f"  ratio        : {ratio:.0%} of raw")
