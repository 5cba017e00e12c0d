"""Alembic env for the noshow schema."""

from migrations.common_env import run

run()
