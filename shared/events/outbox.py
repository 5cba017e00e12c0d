"""The outbox and inbox tables every service schema has, and how to write to them.

``publish`` inserts into the caller's session, so the event commits or rolls back with the
state change it announces. Nothing wakes the relay per insert: it polls the partial index
``outbox_unrelayed`` every few tens of milliseconds (cheap when empty). The first migrations
created a per-statement NOTIFY trigger; ``outbox_wake_ddl`` drops it, because PostgreSQL
serialises the commits of notifying transactions behind one global lock (issue 19).

An event whose payload names an aggregate gets that aggregate's next version in the same
transaction: the payload's own counter when the publisher keeps one, otherwise the
``aggregate_version`` row of this schema, bumped by an upsert. The upsert's row lock lasts
until commit, so two transactions changing one aggregate take their numbers in the order
they commit, and consumers order by the number, never by a clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    func,
    insert,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import Envelope, Payload, envelope_for

NOTIFY_CHANNEL = "roomline_outbox"


@cache
def outbox_table(schema: str) -> Table:
    return Table(
        "outbox",
        MetaData(schema=schema),
        Column("event_id", Uuid, primary_key=True),
        Column("name", String(120), nullable=False),
        Column("version", Integer, nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("relayed_at", DateTime(timezone=True)),
        Column("aggregate", String(160)),
        Column("aggregate_version", BigInteger),
        # The relay's queue: only unrelayed rows, oldest first.
        Index("outbox_unrelayed", "created_at", postgresql_where=text("relayed_at IS NULL")),
    )


@cache
def inbox_table(schema: str) -> Table:
    return Table(
        "inbox",
        MetaData(schema=schema),
        Column("event_id", Uuid, primary_key=True),
        Column("name", String(120), nullable=False),
        Column("handled_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


@cache
def aggregate_version_table(schema: str) -> Table:
    """The per-aggregate event counter; written with raw SQL upserts (``_aggregate_versions``)
    but defined here so the models-versus-migrations test sees it."""
    return Table(
        "aggregate_version",
        MetaData(schema=schema),
        Column("aggregate", String(160), primary_key=True),
        Column("version", BigInteger, nullable=False),
    )


async def publish(
    session: AsyncSession, *, schema: str, payload: Payload, occurred_at: datetime
) -> Envelope:
    """Write an event to ``schema``'s outbox inside the caller's transaction."""
    (envelope,) = await publish_many(
        session, schema=schema, payloads=[payload], occurred_at=occurred_at
    )
    return envelope


async def publish_many(
    session: AsyncSession, *, schema: str, payloads: Sequence[Payload], occurred_at: datetime
) -> list[Envelope]:
    """Write several events with one insert (and one version upsert), in the given order."""
    versions = await _aggregate_versions(session, schema, payloads)
    envelopes = [
        envelope_for(payload, source=schema, occurred_at=occurred_at, aggregate_version=version)
        for payload, version in zip(payloads, versions, strict=True)
    ]
    if envelopes:
        # Core insert: the outbox is on every write path and needs no ORM identity tracking.
        await session.execute(insert(outbox_table(schema)), [_row(e) for e in envelopes])
    return envelopes


def _row(envelope: Envelope) -> dict[str, Any]:
    return envelope.model_dump(
        include={"event_id", "name", "version", "payload", "occurred_at"}
        | {"aggregate", "aggregate_version"}
    )


async def _aggregate_versions(
    session: AsyncSession, schema: str, payloads: Sequence[Payload]
) -> list[int | None]:
    """Each payload's aggregate version: its own, or the next ones of this schema's counter."""
    wanted = Counter(
        key
        for p in payloads
        if (key := p.aggregate_key()) is not None and p.own_aggregate_version() is None
    )
    last: dict[str, int] = {}
    if wanted:
        # Sorted: two transactions bumping the same aggregates lock them in one order.
        rows = await session.execute(
            text(
                f"INSERT INTO {schema}.aggregate_version AS av (aggregate, version) "
                "SELECT * FROM unnest(CAST(:keys AS text[]), CAST(:counts AS bigint[])) "
                "ON CONFLICT (aggregate) DO UPDATE SET version = av.version + EXCLUDED.version "
                "RETURNING aggregate, version"
            ),
            {"keys": sorted(wanted), "counts": [wanted[k] for k in sorted(wanted)]},
        )
        last = {row.aggregate: int(row.version) for row in rows}
    versions: list[int | None] = []
    for payload in reversed(payloads):  # the last of an aggregate's payloads gets its highest
        key = payload.aggregate_key()
        own = payload.own_aggregate_version()
        if key is None or own is not None:
            versions.append(own)
        else:
            versions.append(last[key])
            last[key] -= 1
    return versions[::-1]


def outbox_ddl(schema: str) -> list[str]:
    """SQL a service's first migration runs to create its outbox, inbox and notify trigger.
    Frozen as first written: later migrations add to it (``outbox_ordering_ddl``)."""
    return [
        f"""CREATE TABLE {schema}.outbox (
            event_id uuid PRIMARY KEY,
            name varchar(120) NOT NULL,
            version integer NOT NULL,
            payload jsonb NOT NULL,
            occurred_at timestamptz NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            relayed_at timestamptz
        )""",
        f"CREATE INDEX outbox_unrelayed ON {schema}.outbox (created_at) WHERE relayed_at IS NULL",
        f"""CREATE TABLE {schema}.inbox (
            event_id uuid PRIMARY KEY,
            name varchar(120) NOT NULL,
            handled_at timestamptz NOT NULL DEFAULT now()
        )""",
        f"""CREATE FUNCTION {schema}.notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_notify('{NOTIFY_CHANNEL}', '{schema}'); RETURN NULL; END $$""",
        f"""CREATE TRIGGER outbox_notify AFTER INSERT ON {schema}.outbox
            FOR EACH STATEMENT EXECUTE FUNCTION {schema}.notify_outbox()""",
    ]


def outbox_wake_ddl(schema: str) -> list[str]:
    """Drops the NOTIFY trigger of ``outbox_ddl`` (see the module docstring)."""
    return [
        f"DROP TRIGGER outbox_notify ON {schema}.outbox",
        f"DROP FUNCTION {schema}.notify_outbox()",
    ]


def outbox_wake_undo_ddl(schema: str) -> list[str]:
    """``outbox_wake_ddl``'s downgrade: the trigger as ``outbox_ddl`` created it."""
    return outbox_ddl(schema)[-2:]


def aggregate_version_ddl(schema: str) -> list[str]:
    """The per-aggregate event counter (see the module docstring)."""
    return [
        f"""CREATE TABLE {schema}.aggregate_version (
            aggregate varchar(160) PRIMARY KEY,
            version bigint NOT NULL
        )"""
    ]


def outbox_ordering_ddl(schema: str) -> list[str]:
    """The outbox's aggregate columns, the version counter and the dead letters; every
    service's events migration runs it after ``outbox_ddl``."""
    return [
        f"ALTER TABLE {schema}.outbox ADD COLUMN aggregate varchar(160), "
        "ADD COLUMN aggregate_version bigint",
        *aggregate_version_ddl(schema),
        *dead_letter_ddl(schema),
    ]


@cache
def dead_letter_table(schema: str) -> Table:
    """Events this service's handlers gave up on (``shared.events.failures``)."""
    return Table(
        "dead_letter",
        MetaData(schema=schema),
        Column("event_id", Uuid, primary_key=True),
        Column("name", String(120), nullable=False),
        Column("source", String(40), nullable=False),
        Column("envelope", JSONB, nullable=False),
        Column("error", Text, nullable=False),
        Column("raised_at", Text, nullable=False),
        Column("tries", Integer, nullable=False),
        Column("first_failed_at", DateTime(timezone=True), nullable=False),
        Column("last_failed_at", DateTime(timezone=True), nullable=False),
        Column("state", String(16), nullable=False),
        Column("redrives", Integer, nullable=False),
        Column("redriven_at", DateTime(timezone=True)),
        # The relay looks only for rows an operator asked to redrive.
        Index("dead_letter_redrive", "state", postgresql_where=text("state = 'redrive'")),
    )


def dead_letter_ddl(schema: str) -> list[str]:
    return [
        f"""CREATE TABLE {schema}.dead_letter (
            event_id uuid PRIMARY KEY,
            name varchar(120) NOT NULL,
            source varchar(40) NOT NULL,
            envelope jsonb NOT NULL,
            error text NOT NULL,
            raised_at text NOT NULL,
            tries integer NOT NULL,
            first_failed_at timestamptz NOT NULL,
            last_failed_at timestamptz NOT NULL,
            -- dead: waiting for an operator; redrive: asked, the relay enqueues it;
            -- redriven: enqueued again, a success deletes the row
            state varchar(16) NOT NULL CHECK (state IN ('dead', 'redrive', 'redriven')),
            redrives integer NOT NULL DEFAULT 0,
            redriven_at timestamptz
        )""",
        f"CREATE INDEX dead_letter_redrive ON {schema}.dead_letter (state) WHERE state = 'redrive'",
    ]
