"""Ledger postings per second through the service against raw INSERTs of the same rows, in the
same run (issue 17: the service at least 30% of raw).

``python -m bench.ledger [SECONDS] [CONNECTIONS] [PROCESSES]`` (defaults 10, 16 and the CPU
count); ``make bench`` runs it with the others. It needs ``wrk`` (``make bench-deps``) and
``pgbench`` (Debian's ``postgresql-client``, there with the server). With no ``DATABASE_URL``
an embedded PostgreSQL is started with fsync and synchronous_commit on; with one, a fresh
database is made on that server and dropped after.

- **roomline**: the all-in-one app (``uvicorn workers.web:app --workers PROCESSES``);
  ``wrk`` (``bench/wrk/booking.lua``: a new idempotency key per request) POSTs a balanced
  three-leg ``stay_prepaid`` posting to ``/payments/api/ledger/transactions`` as a finance
  user (session cookie + CSRF token); then 20 of them a request to ``…/transactions/batch``
  (one commit for the lot, as TigerBeetle takes transfers), against raw transactions of 20
  postings each. Each request: session and role checked, body validated
  (balanced per currency, accounts in the chart), one CTE round trip, commit with the
  database's balance trigger.
- **raw**, twice, each for the same time with as many connections: ``pgbench`` (a C client,
  prepared statements), then asyncpg from this Python process. Each transaction is
  ``BEGIN``; one ``INSERT`` of the ledger_transaction row; one ``INSERT`` of its three
  ledger_entry rows; ``COMMIT``: the same rows into the same tables, under the same triggers,
  minus everything the service adds.

Each figure is printed with p99 latency, the machine's load average and CPU steal; then the
ratios, and the ledger's check over everything written.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import asyncpg

from bench.booking import start
from bench.common import Machine, bench_infra, p99, report, wrk

HOTEL = uuid.UUID("6f1c2d4e-0000-4000-8000-00000000b001")
BOOKING = uuid.UUID("6f1c2d4e-0000-4000-8000-00000000b002")
LEGS = [
    (f"guest_receivable:{BOOKING}", "CNY", 58_000),
    (f"hotel_payable:{HOTEL}", "CNY", -50_000),
    ("margin_revenue", "CNY", -8_000),
]
PATH = "/payments/api/ledger/transactions"
BATCH_PATH = "/payments/api/ledger/transactions/batch"
BATCH = 20  # postings per request (and per raw transaction) in the batch comparison


def one_posting(key: str) -> dict[str, object]:
    return {
        "idempotency_key": key,
        "kind": "stay_prepaid",
        "legs": [{"account": a, "currency": c, "amount_minor": m} for a, c, m in LEGS],
        "hotel_id": str(HOTEL),
        "booking_id": str(BOOKING),
        "memo": "bench",
    }


def posting_body(batch: int = 1) -> str:
    """The JSON wrk sends, ``@KEY@`` standing for the part of each idempotency key it makes
    unique per request; a batch numbers its postings after it."""
    if batch == 1:
        return json.dumps(one_posting("@KEY@"))
    return json.dumps({"postings": [one_posting(f"@KEY@-{n}") for n in range(batch)]})


# pgbench's transaction: the service's rows, written the plain way (two INSERTs).
RAW_POSTING = f"""
INSERT INTO payments.ledger_transaction (transaction_id, idempotency_key, request_hash, kind,
    booking_id, hotel_id, memo, effective_on, posted_by)
  VALUES (gen_random_uuid(), 'raw-' || gen_random_uuid(), repeat('0', 64), 'stay_prepaid',
    '{BOOKING}', '{HOTEL}', 'bench', current_date, 'benchraw')
  RETURNING transaction_id AS tid \\gset
INSERT INTO payments.ledger_entry (transaction_id, account, currency, amount_minor) VALUES
  (:tid, '{LEGS[0][0]}', 'CNY', {LEGS[0][2]}),
  (:tid, '{LEGS[1][0]}', 'CNY', {LEGS[1][2]}),
  (:tid, '{LEGS[2][0]}', 'CNY', {LEGS[2][2]});
"""


def raw_script(batch: int) -> str:
    return "BEGIN;" + RAW_POSTING * batch + "COMMIT;\n"


def pgbench(dsn: str, *, seconds: int, connections: int, batch: int = 1) -> dict[str, float | str]:
    """Run ``batch`` raw postings a transaction for ``seconds``; postings a second (pgbench's
    transactions, connection time excluded, times ``batch``), p99 from its per-transaction
    log, and the machine."""
    with tempfile.TemporaryDirectory(prefix="bench-ledger-") as folder:
        script = Path(folder) / "raw.sql"
        script.write_text(raw_script(batch))
        machine = Machine()
        run = subprocess.run(
            ["pgbench", "-n", "-M", "prepared", "-c", str(connections), "-j", "2",
             "-T", str(seconds), "-f", str(script), "-l", "--log-prefix", f"{folder}/tx", dsn],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        found = re.search(r"tps = ([\d.]+) \(without initial connection time\)", run.stdout)
        failed = re.search(r"number of failed transactions: (\d+)", run.stdout)
        if not found or (failed and int(failed.group(1))):
            raise RuntimeError(f"pgbench did not run cleanly:\n{run.stdout}\n{run.stderr}")
        latencies = [
            int(line.split()[2]) / 1e6
            for log in Path(folder).glob("tx*")
            for line in log.read_text().splitlines()
        ]
    per_second = float(found.group(1)) * batch
    return {"per_second": per_second, "p99": p99(latencies), "machine": machine.line()}


RAW_TRANSACTION = """
    INSERT INTO payments.ledger_transaction (transaction_id, idempotency_key, request_hash,
        kind, booking_id, hotel_id, memo, effective_on, posted_by)
    VALUES (gen_random_uuid(), 'raw-' || gen_random_uuid(), repeat('0', 64), 'stay_prepaid',
        $1, $2, 'bench', current_date, 'benchraw')
    RETURNING transaction_id"""
RAW_ENTRIES = """
    INSERT INTO payments.ledger_entry (transaction_id, account, currency, amount_minor)
    SELECT $1, account, 'CNY', amount
    FROM unnest($2::text[], $3::bigint[]) AS leg(account, amount)"""


async def asyncpg_raw(
    dsn: str, *, seconds: int, connections: int, batch: int = 1
) -> dict[str, float | str]:
    """The same two INSERTs (``batch`` times) in a transaction from ``connections`` asyncpg
    connections in this (Python) process, for ``seconds``; postings a second."""
    accounts, amounts = [a for a, _, _ in LEGS], [m for _, _, m in LEGS]
    latencies: list[float] = []
    pool = [await asyncpg.connect(dsn) for _ in range(connections)]
    loop = asyncio.get_running_loop()

    async def client(conn: asyncpg.Connection, until: float) -> None:
        while (began := loop.time()) < until:
            async with conn.transaction():
                for _ in range(batch):
                    tid = await conn.fetchval(RAW_TRANSACTION, BOOKING, HOTEL)
                    await conn.execute(RAW_ENTRIES, tid, accounts, amounts)
            latencies.append(loop.time() - began)

    machine = Machine()
    started = loop.time()
    try:
        await asyncio.gather(*(client(conn, started + seconds) for conn in pool))
    finally:
        elapsed = loop.time() - started
        for conn in pool:
            await conn.close()
    return {
        "per_second": len(latencies) * batch / elapsed,
        "p99": p99(latencies),
        "machine": machine.line(),
    }


async def finance_headers(base_url: str) -> str:
    """A finance user's session cookie and CSRF token, as wrk's header lines."""
    import httpx

    from shared.auth import SESSION_COOKIE, Role
    from shared.db import make_engine, make_sessionmaker, unit_of_work
    from tests.support.clients import StaffClient, create_user

    engine = make_engine(os.environ["DATABASE_URL"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await create_user(session, "benchfinance", Role.FINANCE)
    await engine.dispose()
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        finance = await StaffClient(http).login("benchfinance")
        cookie = http.cookies[SESSION_COOKIE]
    return f"Cookie: {SESSION_COOKIE}={cookie}\nX-CSRF-Token: {finance.csrf}"


async def written(dsn: str) -> tuple[int, int, bool]:
    """Transactions the service and pgbench wrote, and whether the ledger still checks."""
    conn = await asyncpg.connect(dsn)
    try:
        ours = await conn.fetchval(
            "SELECT count(*) FROM payments.ledger_transaction WHERE posted_by = 'benchfinance'"
        )
        raw = await conn.fetchval(
            "SELECT count(*) FROM payments.ledger_transaction WHERE posted_by = 'benchraw'"
        )
        unbalanced = await conn.fetchval(
            "SELECT count(*) FROM (SELECT 1 FROM payments.ledger_entry"
            " GROUP BY transaction_id, currency HAVING sum(amount_minor) <> 0) AS off"
        )
    finally:
        await conn.close()
    return int(ours), int(raw), unbalanced == 0


def through_service(
    base_url: str, headers: str, *, batch: int, seconds: int, connections: int
) -> dict[str, float | str]:
    """wrk POSTs ``batch`` postings a request (the single or the batch endpoint); postings a
    second."""
    env = {"BENCH_BODY": posting_body(batch), "BENCH_HEADERS": headers}
    url = f"{base_url}{PATH if batch == 1 else BATCH_PATH}"
    wrk(url, "booking.lua", seconds=2, connections=connections, env=env)  # warm up
    ours = wrk(url, "booking.lua", seconds=seconds, connections=connections, env=env)
    return {**ours, "per_second": float(ours["per_second"]) * batch}


def measure(seconds: int, connections: int, processes: int) -> None:
    dsn = os.environ["DATABASE_URL"].replace("+asyncpg", "")
    app = ["uvicorn", "workers.web:app", "--log-level", "warning", "--no-access-log"]
    server, base_url = start([*app, "--workers", str(processes)])
    ours: dict[int, dict[str, float | str]] = {}
    try:
        headers = asyncio.run(finance_headers(base_url))
        for batch in (1, BATCH):
            ours[batch] = through_service(
                base_url, headers, batch=batch, seconds=seconds, connections=connections
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    for batch in (1, BATCH):
        pgbench(dsn, seconds=2, connections=connections, batch=batch)  # warm up
        raw = pgbench(dsn, seconds=seconds, connections=connections, batch=batch)
        raw_python = asyncio.run(
            asyncpg_raw(dsn, seconds=seconds, connections=connections, batch=batch)
        )
        name = (
            f"ledger postings (3 legs), {batch} a request and a transaction: {seconds} s each,"
            f" {connections} connections, {processes} web processes"
        )
        report(f"{name}; raw = pgbench (C)", ours[batch], raw)  # type: ignore[arg-type]
        report(f"{name}; raw = asyncpg (Python)", ours[batch], raw_python)  # type: ignore[arg-type]
    by_service, by_pgbench, healthy = asyncio.run(written(dsn))
    print(f"  written      : {by_service} by the service, {by_pgbench} raw")
    print(f"  ledger check : {'balanced' if healthy else 'UNBALANCED'}")


def main(seconds: int, connections: int, processes: int) -> None:
    with bench_infra():
        measure(seconds, connections, processes)


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 10,
        int(sys.argv[2]) if len(sys.argv) > 2 else 16,
        int(sys.argv[3]) if len(sys.argv) > 3 else os.cpu_count() or 1,
    )
