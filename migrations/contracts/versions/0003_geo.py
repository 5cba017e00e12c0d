"""Coordinates and facilities on the hotel file (HR-2); coordinates let agents offer the
nearest hotel of the same grade when one is full (IN-3).

Revision ID: contracts_0003_geo
Revises: contracts_0002
"""

from alembic import op

revision = "contracts_0003_geo"
down_revision = "contracts_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE contracts.hotel "
        "ADD COLUMN latitude double precision CHECK (latitude BETWEEN -90 AND 90), "
        "ADD COLUMN longitude double precision CHECK (longitude BETWEEN -180 AND 180), "
        "ADD COLUMN facilities text[] NOT NULL DEFAULT '{}'"
    )


def downgrade() -> None:
    op.execute(
        "ALTER TABLE contracts.hotel DROP COLUMN facilities, DROP COLUMN longitude, "
        "DROP COLUMN latitude"
    )
