"""Alembic env for the payments schema."""

from migrations.common_env import run

run()
