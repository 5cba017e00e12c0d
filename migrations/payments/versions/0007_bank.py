"""Payments' bank tables (issue 17).

Revision ID: payments_0007_bank
Revises: payments_0006_settlement
"""

revision = "payments_0007_bank"
down_revision = "payments_0006_settlement"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
