"""The upsert every SL projection uses: events about one thing arrive in any order, so each
fills only the columns it knows and keeps what another event already wrote there."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Table, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


async def fill_columns(
    session: AsyncSession,
    table: Table,
    key: str,
    key_value: Any,
    *,
    earliest: Collection[str] = (),
    **values: Any,
) -> None:
    """Insert the row keyed ``key`` = ``key_value`` or, if it exists, set each of ``values``
    that this event brings (a None keeps the value already there). The columns named in
    ``earliest`` keep the earlier of the two times instead: a step announced twice, in either
    order, was met when it was first met (SL-5)."""
    statement = insert(table).values({key: key_value, **values})
    new, old = statement.excluded, table.c
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[key],
            set_={
                # LEAST and COALESCE both skip NULLs: a missing time never wins.
                name: func.least(old[name], new[name])
                if name in earliest
                else func.coalesce(new[name], old[name])
                for name in values
            },
        )
    )
