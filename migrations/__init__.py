"""Alembic migrations, one folder and one PostgreSQL schema per service."""

SERVICES = (
    "gateway",
    "contracts",
    "intake",
    "confirmation",
    "noshow",
    "payments",
    "members",
    "metrics",
)
