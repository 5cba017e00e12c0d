"""The async engine and the two places a session is committed.

Service code never commits: the request dependency (``session_dependency``) commits when
the endpoint returned without error, and ``unit_of_work`` does the same for jobs and
event handlers. Either rolls back on any exception.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def make_engine(database_url: str, *, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(
        database_url,
        pool_size=pool_size,
        max_overflow=pool_size,
        # No pre-ping: it costs a round trip on every checkout (a quarter of a booking's
        # time in bench/booking.py). Dead connections are recycled and retried instead.
        pool_recycle=1800,
        # No JIT: ours are short OLTP queries, and a search whose cost estimate crossed
        # jit_above_cost spent 750 ms compiling to save a few (EXPLAIN ANALYZE on the
        # fixture of bench/search_data.py).
        connect_args={"server_settings": {"jit": "off"}},
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session for a job or handler: committed if the block succeeds, else rolled back."""
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


async def session_dependency(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session; committed after the endpoint returns without error."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with unit_of_work(sessionmaker) as session:
        yield session


# scope="function": the commit happens before the response is sent, so a client never sees
# 200 for a write that then failed to commit.
DbSession = Annotated[AsyncSession, Depends(session_dependency, scope="function")]
