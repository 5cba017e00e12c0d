"""Test harness: real PostgreSQL and Redis for the whole run, clean state for every test."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from redis import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support.infra import INFRA


def pytest_configure(config: pytest.Config) -> None:
    # Pages in English unless a test asks for Chinese (the business default, issue 15): the
    # assertions read the source texts; tests/shared/test_i18n.py checks the Chinese.
    os.environ.setdefault("ROOMLINE_DEFAULT_LOCALE", "en")
    INFRA.start()
    os.environ["DATABASE_URL"] = INFRA.database_url
    os.environ["REDIS_URL"] = INFRA.redis_url
    os.environ["ROOMLINE_QUEUE_PREFIX"] = f"rltest{uuid.uuid4().hex[:6]}"
    os.environ["ROOMLINE_EVENT_JOB_TIMEOUT_SECONDS"] = "5"
    os.environ["ROOMLINE_RELAY_POLL_SECONDS"] = "0.5"
    from migrations.run import upgrade

    upgrade(INFRA.database_url)


def pytest_unconfigure(config: pytest.Config) -> None:
    INFRA.stop()


# DELETE, not TRUNCATE: a TRUNCATE of the ~100 tables cost 0.6–1.2 s a test (a new file per
# table), deleting from the few a test filled costs about 12 ms. Foreign keys are not checked
# meanwhile (replica role), so the order of tables does not matter; sequences start again at 1.
_RESET = """
DO $$
DECLARE r record;
BEGIN
  PERFORM set_config('session_replication_role', 'replica', true);
  FOR r IN SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY($SCHEMAS) LOOP
    EXECUTE format('DELETE FROM %I.%I', r.schemaname, r.tablename);
  END LOOP;
  -- pg_class, not information_schema.sequences: that view leaves out identity columns'.
  FOR r IN SELECT n.nspname, c.relname FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind = 'S' AND n.nspname = ANY($SCHEMAS) LOOP
    EXECUTE format('ALTER SEQUENCE %I.%I RESTART', r.nspname, r.relname);
  END LOOP;
END $$"""


async def _empty_all_tables() -> None:
    from migrations import SERVICES

    schemas = "ARRAY[" + ", ".join(f"'{name}'" for name in SERVICES) + "]::name[]"
    conn = await asyncpg.connect(INFRA.database_url.replace("+asyncpg", ""))
    try:
        await conn.execute(_RESET.replace("$SCHEMAS", schemas))
    finally:
        await conn.close()


@pytest.fixture(autouse=True)
def clean_state() -> None:
    """Every test starts with empty tables and an empty Redis."""
    asyncio.run(_empty_all_tables())
    with Redis.from_url(INFRA.redis_url) as redis:
        redis.flushdb()
    from shared.clock import clock

    clock.set_now(None)


@pytest.fixture
async def web_app() -> AsyncIterator[object]:
    """The all-in-one app with its lifespan running (engines bound to this test's loop)."""
    from workers.web import app

    async with LifespanManager(app):
        yield app


@pytest.fixture
async def sessionmaker(web_app: object) -> async_sessionmaker[AsyncSession]:
    return web_app.state.sessionmaker  # type: ignore[attr-defined, no-any-return]


@pytest.fixture
async def http(web_app: object) -> Callable[[], Awaitable[httpx.AsyncClient]]:
    """A factory of fresh cookie jars against the in-process app (one per person)."""
    clients: list[httpx.AsyncClient] = []

    async def _make() -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=web_app),  # type: ignore[arg-type]
            base_url="http://roomline.test",
        )
        clients.append(client)
        return client

    yield _make  # type: ignore[misc]
    for client in clients:
        await client.aclose()


@pytest.fixture
async def login_as(
    http: Callable[[], Awaitable[httpx.AsyncClient]],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> Callable[..., Awaitable[object]]:
    """``await login_as("ana", Role.AGENT)``: creates the user and returns a logged-in client."""
    from shared.db import unit_of_work
    from tests.support.clients import StaffClient, create_user

    async def _login(username: str, *roles: object) -> StaffClient:
        async with unit_of_work(sessionmaker) as session:
            await create_user(session, username, *roles)  # type: ignore[arg-type]
        return await StaffClient(await http()).login(username)

    return _login
