"""Projections ordered by the publisher's version (issue 12): every row intake keeps of a
hotel's events (hotel, inventory night, rate night, night restriction, conditions) records the
hotel's event version that wrote it, and only a higher version replaces it. ``occurred_at``
stays for reading; it no longer decides anything. Rows from before hold 0 (unnumbered, see
``shared.events.ordering``).

Revision ID: intake_0007_source_version
Revises: intake_0006_event_failures
"""

from alembic import op

revision = "intake_0007_source_version"
down_revision = "intake_0006_event_failures"
branch_labels = None
depends_on = None

TABLES = ("hotel", "inventory_night", "rate_night", "night_restriction", "hotel_conditions")


def upgrade() -> None:
    # A constant default: PostgreSQL adds the column without rewriting the table.
    for table in TABLES:
        op.execute(
            f"ALTER TABLE intake.{table} ADD COLUMN source_version bigint NOT NULL DEFAULT 0"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE intake.{table} DROP COLUMN source_version")
