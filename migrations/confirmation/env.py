"""Alembic env for the confirmation schema."""

from migrations.common_env import run

run()
