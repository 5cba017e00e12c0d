"""Throttling of failed logins on Redis, with the ``limits`` package (``limits.aio``).

Every way in with a secret is guarded twice: by the name it claims (a staff account, a
channel manager's credential, the telephony token) and by the client's address. Each guard
allows ``login_max_failures`` (per address: ``login_max_failures_per_address``) failures in a
moving window of ``login_window_seconds``; once a guard is used up, every attempt through it is
refused, even one with the right secret, until its oldest failure leaves the window or an
admin clears it on ``/admin/staff``. Only failures count, and a success resets nothing, so one
person's login cannot unlock another's account.

Used-up guards are also kept in a sorted set (score: when they lapse) so the admin page can
list them; ``limits`` itself cannot enumerate its keys. The address is the ASGI client's
(``request.client``): behind a proxy, run uvicorn with ``--proxy-headers`` and
``--forwarded-allow-ips`` so it is the caller's, not the proxy's.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, Request
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from shared.config import Settings
from shared.errors import ServiceUnavailable, TooManyAttempts
from shared.observability import get_logger

log = get_logger(__name__)

# Scopes of a guard; the *_ADDRESS ones use the per-address limit.
ACCOUNT = "account"
ADDRESS = "address"
CHANNEL = "channel"
CHANNEL_ADDRESS = "channel-address"
TELEPHONY = "telephony"
TELEPHONY_ADDRESS = "telephony-address"
SCOPES = frozenset({ACCOUNT, ADDRESS, CHANNEL, CHANNEL_ADDRESS, TELEPHONY, TELEPHONY_ADDRESS})
_ADDRESS_SCOPES = frozenset({ADDRESS, CHANNEL_ADDRESS, TELEPHONY_ADDRESS})
UNAVAILABLE = "登录服务暂时不可用，请稍后再试 / Login is unavailable just now; try again shortly."


@dataclass(frozen=True, slots=True)
class Guard:
    scope: str
    identity: str


@dataclass(frozen=True, slots=True)
class Lockout:
    scope: str
    identity: str
    retry_after: int  # seconds until an attempt is allowed again


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@asynccontextmanager
async def redis_required() -> AsyncIterator[None]:
    """Redis unreachable: a readable 503 (shared.errors), not a 500."""
    try:
        yield
    except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
        log.warning("login_throttle_unavailable", error=repr(exc))
        raise ServiceUnavailable(UNAVAILABLE) from exc


class LoginThrottle:
    def __init__(self, redis: Redis, settings: Settings) -> None:
        self.redis = redis
        # The app's own connection pool: no second pool, and closed with the app.
        storage = RedisStorage(
            f"async+{settings.redis_url}",
            implementation="redispy",
            connection_pool=redis.connection_pool,  # type: ignore[arg-type]  # passed to Redis()
            key_prefix=f"{settings.queue_prefix}:throttle",
        )
        self.limiter = MovingWindowRateLimiter(storage)
        window = settings.login_window_seconds
        self.per_name = RateLimitItemPerSecond(settings.login_max_failures, window)
        self.per_address = RateLimitItemPerSecond(settings.login_max_failures_per_address, window)
        self.index = f"{settings.queue_prefix}:throttle:locked"

    def _limit(self, guard: Guard) -> RateLimitItem:
        return self.per_address if guard.scope in _ADDRESS_SCOPES else self.per_name

    async def _retry_after(self, guard: Guard) -> int:
        stats = await self.limiter.get_window_stats(self._limit(guard), guard.scope, guard.identity)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def check(self, *guards: Guard) -> None:
        """Raise ``TooManyAttempts`` if any guard is used up."""
        async with redis_required():
            waits = [
                await self._retry_after(guard)
                for guard in guards
                if not await self.limiter.test(self._limit(guard), guard.scope, guard.identity)
            ]
        if waits:
            raise TooManyAttempts(max(waits))

    async def failed(self, *guards: Guard) -> None:
        """Count a failure against each guard; list the ones it uses up."""
        async with redis_required():
            for guard in guards:
                limit = self._limit(guard)
                await self.limiter.hit(limit, guard.scope, guard.identity)
                if not await self.limiter.test(limit, guard.scope, guard.identity):
                    lapses_at = time.time() + await self._retry_after(guard)
                    await self.redis.zadd(self.index, {_member(guard): lapses_at})
                    log.warning("login_locked", scope=guard.scope, identity=guard.identity[:80])

    async def locked(self) -> list[Lockout]:
        """Guards used up now, soonest to lapse first."""
        now = time.time()
        async with redis_required():
            await self.redis.zremrangebyscore(self.index, "-inf", now)
            members = await self.redis.zrange(self.index, 0, -1)
            lockouts = []
            for member in members:
                guard = _guard(member.decode() if isinstance(member, bytes) else member)
                limit = self._limit(guard)
                if not await self.limiter.test(limit, guard.scope, guard.identity):
                    wait = await self._retry_after(guard)
                    lockouts.append(Lockout(guard.scope, guard.identity, wait))
        return sorted(lockouts, key=lambda lockout: lockout.retry_after)

    async def clear(self, guard: Guard) -> None:
        async with redis_required():
            await self.limiter.clear(self._limit(guard), guard.scope, guard.identity)
            await self.redis.zrem(self.index, _member(guard))


def _member(guard: Guard) -> str:
    return f"{guard.scope}|{guard.identity}"


def _guard(member: str) -> Guard:
    scope, _, identity = member.partition("|")
    return Guard(scope, identity)


def throttle_for(app: FastAPI) -> LoginThrottle:
    """The app's throttle, on its current Redis client (a new one each lifespan)."""
    redis: Redis = app.state.redis
    throttle: LoginThrottle | None = getattr(app.state, "login_throttle", None)
    if throttle is None or throttle.redis is not redis:
        throttle = LoginThrottle(redis, app.state.settings)
        app.state.login_throttle = throttle
    return throttle
