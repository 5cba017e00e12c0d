"""Alembic env for the metrics schema."""

from migrations.common_env import run

run()
