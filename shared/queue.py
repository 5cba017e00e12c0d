"""arq queues: one per service, named ``<prefix>:<service>``."""

from __future__ import annotations

from arq.connections import RedisSettings


def queue_name(service: str, prefix: str = "roomline") -> str:
    return f"{prefix}:{service}"


def redis_settings(redis_url: str) -> RedisSettings:
    settings = RedisSettings.from_dsn(redis_url)
    # Ride out a Redis restart instead of failing the relay or a worker at once.
    settings.conn_retries = 30
    settings.conn_retry_delay = 1
    return settings
