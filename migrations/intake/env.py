"""Alembic env for the intake schema."""

from migrations.common_env import run

run()
