"""Alembic env for the gateway schema."""

from migrations.common_env import run

run()
