"""Intake's copy of each hotel's conditions, shown to agents (HR-8).

Revision ID: intake_0003_conditions
Revises: intake_0002
"""

from alembic import op

revision = "intake_0003_conditions"
down_revision = "intake_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE intake.hotel_conditions (
            hotel_id uuid PRIMARY KEY,
            summary text[] NOT NULL,
            occurred_at timestamptz NOT NULL
        )"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE intake.hotel_conditions")
