"""Run every service's migrations: ``python -m migrations.run [upgrade|downgrade] [service]``."""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from migrations import SERVICES
from shared.config import get_settings

HERE = Path(__file__).parent


def alembic_config(service: str, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE / service))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option("service", service)
    return config


def upgrade(database_url: str, services: tuple[str, ...] = SERVICES) -> None:
    for service in services:
        command.upgrade(alembic_config(service, database_url), "heads")


def downgrade(database_url: str, services: tuple[str, ...] = SERVICES) -> None:
    for service in reversed(services):
        command.downgrade(alembic_config(service, database_url), "base")


def main(argv: list[str]) -> None:
    action = argv[0] if argv else "upgrade"
    services = tuple(argv[1:]) or SERVICES
    url = get_settings().database_url
    {"upgrade": upgrade, "downgrade": downgrade}[action](url, services)


if __name__ == "__main__":
    main(sys.argv[1:])
