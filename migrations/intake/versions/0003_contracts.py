"""Intake's copy of each hotel's signed contracts: only their nights are sold (HR-3).

Revision ID: intake_0003_contracts
Revises: intake_0002
"""

from alembic import op

revision = "intake_0003_contracts"
down_revision = "intake_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE intake.hotel_contract (
            contract_id uuid PRIMARY KEY,
            hotel_id uuid NOT NULL,
            version_no integer NOT NULL,
            valid_from date NOT NULL,
            valid_to date NOT NULL,
            payment_arrangement text NOT NULL,
            cancellation_terms text NOT NULL DEFAULT ''
        )"""
    )
    op.execute("CREATE INDEX hotel_contract_hotel ON intake.hotel_contract (hotel_id)")


def downgrade() -> None:
    op.execute("DROP TABLE intake.hotel_contract")
