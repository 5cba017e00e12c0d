"""Events from the command line, for operators (the same actions as each ``/admin/events``).

    python -m workers.events list [SERVICE]
    python -m workers.events redrive SERVICE EVENT_ID --actor NAME
    python -m workers.events redrive SERVICE --all --actor NAME
    python -m workers.events discard SERVICE EVENT_ID --reason TEXT --actor NAME
    python -m workers.events replay SERVICE --since 2026-12-06T09:00 --actor NAME

``replay`` is for Redis data loss: the service's outbox rows created since then are marked
unrelayed and the relay enqueues them again; consumers' inboxes drop what they applied.
A time without an offset is read in the business time zone. Every change is audited under
``--actor``. Exit status 0 on success, 2 (with a message) on an unknown service or event.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from migrations import SERVICES
from shared.config import Settings, get_settings
from shared.db import make_engine, make_sessionmaker, unit_of_work
from shared.errors import DomainError
from shared.events import failures, operations

USAGE_ERROR = 2


def _service(value: str) -> str:
    if value not in SERVICES:
        raise argparse.ArgumentTypeError(
            f"unknown service {value!r}; one of: {', '.join(SERVICES)}"
        )
    return value


def _actor(value: str) -> str:
    kept = value.strip()
    if not 1 <= len(kept) <= 80:  # the audit log's actor column
        raise argparse.ArgumentTypeError("the actor is 1 to 80 characters")
    return kept


def _since(value: str) -> datetime:
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO timestamp: {value!r}") from exc
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo(get_settings().business_timezone))
    return at


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m workers.events",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="outbox, queue and dead letters per service")
    listing.add_argument("service", nargs="?", type=_service)
    redrive = commands.add_parser("redrive", help="deliver dead events again")
    redrive.add_argument("service", type=_service)
    which = redrive.add_mutually_exclusive_group(required=True)
    which.add_argument("event_id", nargs="?", type=uuid.UUID)
    which.add_argument("--all", action="store_true", help="every dead event of the service")
    discard = commands.add_parser("discard", help="give up on a dead event, with a reason")
    discard.add_argument("service", type=_service)
    discard.add_argument("event_id", type=uuid.UUID)
    discard.add_argument("--reason", required=True)
    replay = commands.add_parser("replay", help="relay the outbox again since a time")
    replay.add_argument("service", type=_service)
    replay.add_argument("--since", required=True, type=_since)
    for changing in (redrive, discard, replay):
        changing.add_argument("--actor", required=True, type=_actor, help="who, for the audit")
    return parser


async def _queued(settings: Settings, service: str) -> str:
    redis = Redis.from_url(settings.redis_url)
    try:
        return str(
            await operations.queued_jobs(redis, service=service, prefix=settings.queue_prefix)
        )
    except (RedisError, OSError):
        return "? (Redis not answering)"
    finally:
        await redis.aclose()


async def _list(session: AsyncSession, settings: Settings, services: Sequence[str]) -> None:
    for service in services:
        outbox = await operations.outbox_figures(session, schema=service)
        total = await operations.dead_letter_count(session, schema=service)
        print(
            f"{service}: unrelayed {outbox.unrelayed} "
            f"(oldest {outbox.oldest_unrelayed_seconds:.0f} s), "
            f"queued jobs {await _queued(settings, service)}, dead letters {total}"
        )
        for letter in await failures.dead_letters(session, schema=service, limit=200):
            print(
                f"  {letter.event_id} {letter.name} from {letter.source} [{letter.state}] "
                f"tries {letter.tries}, redrives {letter.redrives}, "
                f"last failed {letter.last_failed_at.isoformat()}\n"
                f"    {letter.error.splitlines()[0] if letter.error else ''}\n"
                f"    at {letter.raised_at}"
            )


async def _change(session: AsyncSession, args: argparse.Namespace) -> str:
    """Run one changing command; returns what to print."""
    schema, actor = args.service, args.actor
    if args.command == "redrive" and args.all:
        asked = await operations.redrive_all(session, schema=schema, actor=actor)
        return f"{schema}: redrive asked for {asked} dead events"
    if args.command == "redrive":
        await operations.redrive_one(session, schema=schema, event_id=args.event_id, actor=actor)
        return f"{schema}: redrive asked for {args.event_id}"
    if args.command == "discard":
        await operations.discard_one(
            session, schema=schema, event_id=args.event_id, reason=args.reason, actor=actor
        )
        return f"{schema}: discarded {args.event_id}"
    count = await operations.replay_since(session, schema=schema, since=args.since, actor=actor)
    return f"{schema}: {count} outbox rows since {args.since.isoformat()} will be relayed again"


async def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        async with unit_of_work(make_sessionmaker(engine)) as session:
            if args.command == "list":
                await _list(session, settings, [args.service] if args.service else SERVICES)
            else:
                print(await _change(session, args))
    except DomainError as exc:  # nothing was committed: the unit of work rolled back
        print(f"error: {exc.detail}", file=sys.stderr)
        return USAGE_ERROR
    finally:
        await engine.dispose()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse (argparse exits 2 on a bad service, id or option) and run one command."""
    args = build_parser().parse_args(argv)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
