"""Competitors' prices per hotel and night, entered or imported (HR-5).

Revision ID: contracts_0003_competitors
Revises: contracts_0002
"""

from alembic import op

revision = "contracts_0003_competitors"
down_revision = "contracts_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE contracts.competitor_price (
            hotel_id uuid NOT NULL REFERENCES contracts.hotel,
            night date NOT NULL,
            competitor varchar(80) NOT NULL,
            price_minor bigint NOT NULL CHECK (price_minor > 0),
            currency char(3) NOT NULL,
            recorded_by varchar(80) NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (hotel_id, night, competitor)
        )"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE contracts.competitor_price")
