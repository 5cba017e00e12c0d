"""The async engine and the two places a session is committed.

Service code never commits or rolls back. ``unit_of_work`` commits a job's or handler's session
when its block succeeds. ``session_dependency`` follows the one commit rule: the request's
session commits only when the response is a success (status < 400); any exception or failure
response rolls it back.

The dependency runs with scope="function", so its exit code runs after the endpoint returns but
before the response is sent, and it cannot see the returned response. Hence:

- A failure is raised, never returned: an endpoint refuses with a ``DomainError``, and a form
  that must be shown again raises ``FormRejected`` (shared.errors), whose handler renders the
  form after the rollback. The exception passes through the dependency, which rolls back.
- Safety net for a failure response built without raising: ``shared.pages.render`` marks the
  request (``refuse_commit``) when it renders a status >= 400, and the dependency rolls back a
  marked request. A hand-built ``Response`` with such a status must call ``refuse_commit``
  itself; ``CommitGuardMiddleware`` logs ``failure_response_after_commit`` if one ever goes out
  after a commit, so a missed case shows up instead of silently keeping its writes.

Work that must only happen once the transaction is durable (enqueueing a job the worker will
look up by id) is registered with ``after_commit``; it runs after the commit, never after a
rollback, and a failure of it is logged, not raised: the commit stands (the sweeps re-enqueue).
Its mirror, ``after_rollback``, keeps a record of a refusal (why a group placement failed) in a
transaction of its own, once the refused work has been rolled back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.observability import get_logger

log = get_logger("db")
AfterCommit = Callable[[], Awaitable[object]]
AfterRollback = Callable[[AsyncSession], Awaitable[object]]
_AFTER_COMMIT = "roomline.after_commit"  # keys in session.info
_AFTER_ROLLBACK = "roomline.after_rollback"
_REFUSED = "roomline_commit_refused"  # attribute of request.state
_COMMITTED = "roomline.committed"  # key in the ASGI scope, read by CommitGuardMiddleware


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


def after_commit(session: AsyncSession, action: AfterCommit) -> None:
    """Run ``action`` once ``session`` has committed; a rollback drops it unrun."""
    session.info.setdefault(_AFTER_COMMIT, []).append(action)


def after_rollback(session: AsyncSession, action: AfterRollback) -> None:
    """Run ``action`` with ``session`` in a transaction of its own once ``session`` has rolled
    back; a commit drops it unrun."""
    session.info.setdefault(_AFTER_ROLLBACK, []).append(action)


async def _commit(session: AsyncSession) -> None:
    session.info.pop(_AFTER_ROLLBACK, None)
    await session.commit()
    actions: list[AfterCommit] = session.info.pop(_AFTER_COMMIT, [])
    for action in actions:
        try:
            await action()
        except Exception as exc:
            # The commit stands and the caller gets its success; whatever the action did
            # (an enqueue) is redone by the worker's sweep.
            log.warning("after_commit_failed", action=repr(action), error=repr(exc))


async def _roll_back(session: AsyncSession) -> None:
    session.info.pop(_AFTER_COMMIT, None)
    actions: list[AfterRollback] = session.info.pop(_AFTER_ROLLBACK, [])
    await session.rollback()
    for action in actions:
        try:
            await action(session)
            await session.commit()
        except Exception as exc:
            # The refusal itself is already answered; only its record is lost.
            await session.rollback()
            log.warning("after_rollback_failed", action=repr(action), error=repr(exc))


@asynccontextmanager
async def unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session for a job or handler: committed if the block succeeds, else rolled back."""
    async with sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await _roll_back(session)
            raise
        await _commit(session)


def refuse_commit(request: Request) -> None:
    """Mark the request as failing: its session rolls back even if the endpoint returns."""
    setattr(request.state, _REFUSED, True)


async def session_dependency(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session: committed only for a success (one commit rule, see above)."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await _roll_back(session)
            raise
        if getattr(request.state, _REFUSED, False):
            await _roll_back(session)
            return
        await _commit(session)
        request.scope[_COMMITTED] = True


# scope="function": the commit happens before the response is sent, so a client never sees
# 200 for a write that then failed to commit.
DbSession = Annotated[AsyncSession, Depends(session_dependency, scope="function")]


class CommitGuardMiddleware:
    """Logs a failure response sent after its request's session committed: an endpoint that
    returned a hand-built 4xx/5xx without ``refuse_commit`` (the dependency cannot see it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_checked(message: Message) -> None:
            failed = message["type"] == "http.response.start" and message["status"] >= 400
            if failed and scope.get(_COMMITTED):
                log.error(
                    "failure_response_after_commit", path=scope["path"], status=message["status"]
                )
            await send(message)

        await self.app(scope, receive, send_checked)
