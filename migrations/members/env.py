"""Alembic env for the members schema."""

from migrations.common_env import run

run()
