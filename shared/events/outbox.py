"""The outbox and inbox tables every service schema has, and how to write to them.

``publish`` inserts into the caller's session, so the event commits or rolls back with the
state change it announces. A trigger NOTIFYs the relay on insert.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    func,
    insert,
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


async def publish(
    session: AsyncSession, *, schema: str, payload: Payload, occurred_at: datetime
) -> Envelope:
    """Write an event to ``schema``'s outbox inside the caller's transaction."""
    envelope = envelope_for(payload, source=schema, occurred_at=occurred_at)
    # Core insert: the outbox is on every write path and needs no ORM identity tracking.
    await session.execute(
        insert(outbox_table(schema)).values(
            event_id=envelope.event_id,
            name=envelope.name,
            version=envelope.version,
            payload=envelope.payload,
            occurred_at=envelope.occurred_at,
        )
    )
    return envelope


def outbox_ddl(schema: str) -> list[str]:
    """SQL a service's first migration runs to create its outbox, inbox and notify trigger."""
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
