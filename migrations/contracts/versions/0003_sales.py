"""Contracts' own record of sold room nights, fed by intake's booking events (HR-11).

Revision ID: contracts_0003_sales
Revises: contracts_0002
"""

from alembic import op

revision = "contracts_0003_sales"
down_revision = "contracts_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE contracts.sold_night (
            booking_id uuid NOT NULL,
            night date NOT NULL,
            hotel_id uuid NOT NULL,
            rooms integer NOT NULL CHECK (rooms > 0),
            sell_minor bigint NOT NULL,
            net_minor bigint NOT NULL,
            currency char(3) NOT NULL,
            PRIMARY KEY (booking_id, night)
        )"""
    )
    op.execute("CREATE INDEX sold_night_month ON contracts.sold_night (night, hotel_id)")


def downgrade() -> None:
    op.execute("DROP TABLE contracts.sold_night")
