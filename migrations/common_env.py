"""The env.py body every service's migration folder runs (async engine, own version table)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def _configure(connection: Connection, service: str) -> None:
    # The version table lives in public: the service's schema does not exist before 0001.
    context.configure(
        connection=connection,
        version_table=f"alembic_version_{service}",
        version_table_schema="public",
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str, service: str) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as conn:
        await conn.run_sync(_configure, service)
        await conn.commit()
    await engine.dispose()


def run() -> None:
    config = context.config
    service = config.get_main_option("service")
    url = config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, version_table=f"alembic_version_{service}", literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_async(url, service))
