"""The audit trail: who did what, when, with the record before and after.

Each service has its own ``audit_log`` table (created by ``audit_ddl`` in its migration)
and writes to it in the same transaction as the change.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    MetaData,
    String,
    Table,
    func,
    insert,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Staff


@cache
def audit_table(schema: str) -> Table:
    return Table(
        "audit_log",
        MetaData(schema=schema),
        Column("audit_id", BigInteger, primary_key=True, autoincrement=True),
        Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("actor", String(80), nullable=False),
        Column("action", String(80), nullable=False),
        Column("entity", String(80), nullable=False),
        Column("entity_id", String(80), nullable=False),
        Column("before", JSONB),
        Column("after", JSONB),
        Index("audit_log_entity", "entity", "entity_id"),
    )


def audit_ddl(schema: str) -> list[str]:
    return [
        f"""CREATE TABLE {schema}.audit_log (
            audit_id bigserial PRIMARY KEY,
            at timestamptz NOT NULL DEFAULT now(),
            actor varchar(80) NOT NULL,
            action varchar(80) NOT NULL,
            entity varchar(80) NOT NULL,
            entity_id varchar(80) NOT NULL,
            before jsonb,
            after jsonb
        )""",
        f"CREATE INDEX audit_log_entity ON {schema}.audit_log (entity, entity_id)",
    ]


async def record(
    session: AsyncSession,
    *,
    schema: str,
    actor: Staff | str,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    await session.execute(
        insert(audit_table(schema)).values(
            actor=actor.username if isinstance(actor, Staff) else actor,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=before,
            after=after,
        )
    )
