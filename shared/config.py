"""Settings read from the environment (prefix ``ROOMLINE_`` plus the two URLs).

Every setting is listed in the README's configuration reference.
"""

from __future__ import annotations

from datetime import time
from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:55432/roomline"
DEFAULT_REDIS_URL = "redis://127.0.0.1:56379/0"


class Settings(BaseSettings):
    """Settings shared by every service; services extend this class with their own."""

    model_config = SettingsConfigDict(env_prefix="ROOMLINE_", extra="ignore")

    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")
    redis_url: str = Field(DEFAULT_REDIS_URL, validation_alias="REDIS_URL")
    business_timezone: str = "Asia/Shanghai"
    session_ttl_seconds: int = 8 * 3600
    cookie_secure: bool = False
    # Failed logins (staff passwords, channel managers' Basic auth, the telephony token) within
    # login_window_seconds: beyond these, every attempt is refused until the window lapses or
    # an admin clears it on /admin/staff (shared.throttle).
    login_max_failures: int = Field(5, ge=1)
    login_max_failures_per_address: int = Field(20, ge=1)
    login_window_seconds: int = Field(60, ge=1)
    queue_prefix: str = "roomline"
    log_level: str = "INFO"
    db_pool_size: int = 10
    relay_poll_seconds: float = 1.0
    relay_batch_size: int = 200
    event_job_timeout_seconds: int = 30
    # A failing event is tried this many times, waiting 2, 4, 8… seconds (at most
    # event_retry_cap_seconds) between tries, then left in the service's dead letters.
    event_max_tries: int = Field(12, ge=1, le=100)
    event_retry_cap_seconds: float = Field(60, gt=0, le=3600)
    public_base_url: str = "http://127.0.0.1:8000"
    # A worker or relay run alone serves /metrics on this port (0: off; web apps always do).
    metrics_port: int = 0
    # Fault injection for the event-delivery tests only: the relay exits after enqueuing a
    # batch and before marking it relayed, the worst moment for it to die.
    fault_relay_exit_after_enqueue: bool = False
    # The working day the no-show clock counts (SL-4, NS-6; shared.working_time): HH:MM in
    # the business time zone, and ISO day numbers (1 = Monday) comma separated.
    noshow_workday_start: time = time(9, 0)
    noshow_workday_end: time = time(18, 0)
    noshow_workdays: str = Field("1,2,3,4,5", pattern=r"^\s*[1-7](\s*,\s*[1-7])*\s*$")

    @property
    def asyncpg_dsn(self) -> str:
        """The URL in the form asyncpg and psycopg-style tools accept."""
        return self.database_url.replace("postgresql+asyncpg://", "postgresql://")


@lru_cache
def get_settings() -> Settings:
    return Settings()
