"""Shared set-up for the hand-run benchmarks: a throwaway database and Redis, stats, and the
load generator.

HTTP load comes from ``wrk`` (Debian's package, ``make bench`` installs it) driven by a Lua
script in ``bench/wrk/``: a C client that saturates the raw baseline, so the figures measure the
server and not a Python client. PostgreSQL runs with ``fsync`` and ``synchronous_commit`` on
(an embedded one is started durable; a given ``DATABASE_URL`` is used as it is configured).
Every figure is printed with the machine's load average and CPU steal during the run.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.infra import TestInfra


@contextmanager
def bench_infra() -> Iterator[TestInfra]:
    """Fresh database (and embedded servers unless URLs are set), migrated, env exported."""
    infra = TestInfra(durable=True)
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
    print(
        f"  raw baseline : {raw['per_second']:8.1f}/s   p99 {raw['p99'] * 1000:7.1f} ms"
        f"   {raw.get('machine', '')}"
    )
    print(
        f"  roomline     : {ours['per_second']:8.1f}/s   p99 {ours['p99'] * 1000:7.1f} ms"
        f"   {ours.get('machine', '')}"
    )
    print(f"  ratio        : {ratio:.0%} of raw")  # fmt: skip


WRK_DIR = Path(__file__).parent / "wrk"


def _cpu_times() -> list[int]:
    with open("/proc/stat") as stat:
        return [int(v) for v in stat.readline().split()[1:]]


@dataclass
class Machine:
    """Load average and CPU steal over a stretch of time (steal: /proc/stat's 8th field)."""

    started: list[int] = field(default_factory=_cpu_times)

    def line(self) -> str:
        now = _cpu_times()
        spent = [b - a for a, b in zip(self.started, now, strict=True)]
        steal = spent[7] / sum(spent) if sum(spent) else 0.0
        load = os.getloadavg()
        return f"(load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, CPU steal {steal:.1%})"


def wrk(
    url: str,
    script: str,
    *,
    seconds: int,
    connections: int,
    threads: int = 1,
    env: Mapping[str, str] | None = None,
) -> dict[str, float | str]:
    """Run ``bench/wrk/<script>`` against ``url``; requests a second, p99 and the machine.
    Refuses a run with connection errors or error answers: it would flatter nobody."""
    body = (WRK_DIR / script).read_text() + (WRK_DIR / "report.lua").read_text()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(body)
    machine = Machine()
    try:
        run = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
             "-s", lua.name, url],
            env={**os.environ, **(env or {})}, capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        os.unlink(lua.name)
    line = next(ln for ln in run.stdout.splitlines() if ln.startswith("WRK_RESULT "))
    result = json.loads(line.removeprefix("WRK_RESULT "))
    if result["errors"] or result["status_errors"]:
        raise RuntimeError(f"wrk saw failures against {url}: {result}\n{run.stdout}")
    return {
        "per_second": result["requests"] / result["seconds"],
        "p50": result["p50_us"] / 1e6,
        "p95": result["p95_us"] / 1e6,
        "p99": result["p99_us"] / 1e6,
        "requests": result["requests"],
        "machine": machine.line(),
    }
