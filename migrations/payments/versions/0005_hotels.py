"""Payments' hotels tables (issue 17).

Revision ID: payments_0005_hotels
Revises: payments_0004_slips
"""

revision = "payments_0005_hotels"
down_revision = "payments_0004_slips"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
