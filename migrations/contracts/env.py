"""Alembic env for the contracts schema."""

from migrations.common_env import run

run()
