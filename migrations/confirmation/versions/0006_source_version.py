"""Projections ordered by the publisher's version (issue 12): a hotel's contact and terms
record the hotel's event version that wrote them, and only a higher version replaces them.
``occurred_at`` stays for reading; it no longer decides anything. Rows from before hold 0
(unnumbered, see ``shared.events.ordering``).

Revision ID: confirmation_0006_source_version
Revises: confirmation_0005_event_failures
"""

from alembic import op

revision = "confirmation_0006_source_version"
down_revision = "confirmation_0005_event_failures"
branch_labels = None
depends_on = None

TABLES = ("hotel_contact", "hotel_terms")


def upgrade() -> None:
    # A constant default: PostgreSQL adds the column without rewriting the table.
    for table in TABLES:
        op.execute(
            f"ALTER TABLE confirmation.{table} ADD COLUMN source_version bigint NOT NULL DEFAULT 0"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE confirmation.{table} DROP COLUMN source_version")
