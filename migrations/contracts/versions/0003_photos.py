"""Hotel photos (HR-2): files on disk, their names and captions here.

Revision ID: contracts_0003_photos
Revises: contracts_0002
"""

from alembic import op

revision = "contracts_0003_photos"
down_revision = "contracts_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE contracts.hotel_photo (
            photo_id uuid PRIMARY KEY,
            hotel_id uuid NOT NULL REFERENCES contracts.hotel,
            caption varchar(200) NOT NULL DEFAULT '',
            width integer NOT NULL,
            height integer NOT NULL,
            uploaded_by varchar(80) NOT NULL,
            uploaded_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    op.execute("CREATE INDEX hotel_photo_hotel ON contracts.hotel_photo (hotel_id, uploaded_at)")


def downgrade() -> None:
    op.execute("DROP TABLE contracts.hotel_photo")
