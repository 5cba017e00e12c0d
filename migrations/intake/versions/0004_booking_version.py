"""A version on each booking, bumped by every change: two agents changing the same booking at
once cannot overwrite each other (IN-5).

Revision ID: intake_0004_booking_version
Revises: intake_0002
"""

from alembic import op

revision = "intake_0004_booking_version"
down_revision = "intake_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE intake.booking ADD COLUMN version integer NOT NULL DEFAULT 1")


def downgrade() -> None:
    op.execute("ALTER TABLE intake.booking DROP COLUMN version")
