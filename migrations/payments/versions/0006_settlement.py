"""Payments' settlement tables (issue 17).

Revision ID: payments_0006_settlement
Revises: payments_0005_hotels
"""

revision = "payments_0006_settlement"
down_revision = "payments_0005_hotels"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
