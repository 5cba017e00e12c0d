"""The test run's PostgreSQL and Redis: the given URLs, or embedded ones in a temp folder.

With DATABASE_URL set, the run makes its own database on that server (and drops it after);
with REDIS_URL set, the run uses that Redis database and flushes it between tests.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from shared.embedded import EmbeddedPostgres, EmbeddedRedis, free_port


@dataclass
class TestInfra:
    database_url: str = ""
    redis_url: str = ""
    admin_dsn: str = ""
    database: str = ""
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="roomline-test-")))
    embedded_pg: EmbeddedPostgres | None = None
    embedded_redis: EmbeddedRedis | None = None
    durable: bool = False  # PostgreSQL with fsync on (benchmarks)

    def start(self) -> None:
        given_db = os.environ.get("DATABASE_URL")
        self.database = f"roomline_test_{uuid.uuid4().hex[:8]}"
        if given_db:
            base = given_db.rsplit("/", 1)[0]
            self.database_url = f"{base}/{self.database}"
            self.admin_dsn = f"{base}/postgres".replace("postgresql+asyncpg://", "postgresql://")
        else:
            self.embedded_pg = EmbeddedPostgres(
                self.tmp / "postgres", free_port(), durable=self.durable
            )
            self.embedded_pg.start()
            self.database_url = self.embedded_pg.url(self.database)
            self.admin_dsn = self.embedded_pg.url("postgres").replace("+asyncpg", "")
        asyncio.run(self._admin(f'CREATE DATABASE "{self.database}"'))
        given_redis = os.environ.get("REDIS_URL")
        if given_redis:
            self.redis_url = given_redis
        else:
            self.embedded_redis = EmbeddedRedis(self.tmp / "redis", free_port())
            self.embedded_redis.start()
            self.redis_url = self.embedded_redis.url()

    async def _admin(self, sql: str) -> None:
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def stop(self) -> None:
        if self.embedded_redis:
            self.embedded_redis.stop()
        if self.embedded_pg:
            self.embedded_pg.stop()
        else:
            asyncio.run(self._admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))

    def env(self) -> dict[str, str]:
        """What a server or worker subprocess needs to join this run."""
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "ROOMLINE_QUEUE_PREFIX": os.environ["ROOMLINE_QUEUE_PREFIX"],
            "ROOMLINE_EVENT_JOB_TIMEOUT_SECONDS": os.environ["ROOMLINE_EVENT_JOB_TIMEOUT_SECONDS"],
            "ROOMLINE_RELAY_POLL_SECONDS": os.environ["ROOMLINE_RELAY_POLL_SECONDS"],
        }


INFRA = TestInfra()
