"""Payments' slips tables (issue 17).

Revision ID: payments_0004_slips
Revises: payments_0003_ledger
"""

revision = "payments_0004_slips"
down_revision = "payments_0003_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
