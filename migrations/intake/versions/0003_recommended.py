"""Intake's copy of the month's director-approved recommended hotels (HR-6, IN-2).

Revision ID: intake_0003_recommended
Revises: intake_0002
"""

from alembic import op

revision = "intake_0003_recommended"
down_revision = "intake_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE intake.recommended_hotel (
            hotel_id uuid NOT NULL,
            month date NOT NULL,
            city text NOT NULL,
            PRIMARY KEY (hotel_id, month)
        )"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE intake.recommended_hotel")
