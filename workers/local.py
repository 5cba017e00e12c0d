"""``make run``: local PostgreSQL and Redis when no URLs are set, migrations, demo data, and
everything in one process. Ctrl-C stops it all."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from shared.embedded import EmbeddedPostgres, EmbeddedRedis

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
PG_PORT, REDIS_PORT = 55432, 56379


def start_embedded() -> list[EmbeddedPostgres | EmbeddedRedis]:
    started: list[EmbeddedPostgres | EmbeddedRedis] = []
    if not os.environ.get("DATABASE_URL"):
        pg = EmbeddedPostgres(LOCAL / "postgres", PG_PORT)
        pg.start()
        pg.create_database("roomline")
        os.environ["DATABASE_URL"] = pg.url("roomline")
        started.append(pg)
    if not os.environ.get("REDIS_URL"):
        redis = EmbeddedRedis(LOCAL / "redis", REDIS_PORT)
        redis.start()
        os.environ["REDIS_URL"] = redis.url()
        started.append(redis)
    return started


def main(argv: list[str]) -> None:
    started = start_embedded()
    try:
        from shared.config import get_settings
        from shared.observability import configure_logging

        configure_logging(get_settings().log_level)
        from migrations.run import upgrade

        upgrade(os.environ["DATABASE_URL"])
        from shared.db import make_engine, make_sessionmaker
        from workers import demo, demo_calls, run

        async def _seed() -> None:
            engine = make_engine(get_settings().database_url, pool_size=2)
            await demo.load_demo(make_sessionmaker(engine))
            await demo_calls.map_demo_agents(make_sessionmaker(engine))
            await engine.dispose()

        asyncio.run(_seed())
        if not os.environ.get("ROOMLINE_QUEUE_LOG_PATH"):
            from workers.demo_calls import demo_queue_log

            LOCAL.mkdir(exist_ok=True)
            os.environ["ROOMLINE_QUEUE_LOG_PATH"] = str(demo_queue_log(LOCAL))
        args = run.parse_args(argv)
        print(f"\nroomline is up: http://{args.host}:{args.port}/", flush=True)
        print("Demo logins (password = demo-<user>-pw):", flush=True)
        for username, (display_name, _) in demo.DEMO_USERS.items():
            print(f"  {username:<10} {demo.demo_password(username):<20} {display_name}", flush=True)
        asyncio.run(run.run(args))
    finally:
        for part in reversed(started):
            part.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
