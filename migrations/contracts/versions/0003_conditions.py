"""Conditions hotels set on us (HR-8): monthly room-night thresholds and commission tiers.

Revision ID: contracts_0003_conditions
Revises: contracts_0002
"""

from alembic import op

revision = "contracts_0003_conditions"
down_revision = "contracts_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE contracts.hotel_condition (
            condition_id uuid PRIMARY KEY,
            hotel_id uuid NOT NULL REFERENCES contracts.hotel,
            kind varchar(20) NOT NULL CHECK (kind IN ('room_nights', 'commission_tier')),
            threshold integer NOT NULL CHECK (threshold > 0),
            commission_percent numeric(5, 2) CHECK (commission_percent BETWEEN 0 AND 100),
            note text NOT NULL DEFAULT '',
            created_by varchar(80) NOT NULL,
            CHECK ((kind = 'commission_tier') = (commission_percent IS NOT NULL))
        )"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE contracts.hotel_condition")
