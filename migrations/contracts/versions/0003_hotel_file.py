"""Prospective hotels (HR-13) and the written summary kept when a hotel is suspended (HR-10).

Revision ID: contracts_0003_hotel_file
Revises: contracts_0002
"""

from alembic import op

revision = "contracts_0003_hotel_file"
down_revision = "contracts_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE contracts.hotel DROP CONSTRAINT hotel_status_check")
    op.execute(
        "ALTER TABLE contracts.hotel ADD CONSTRAINT hotel_status_check "
        "CHECK (status IN ('prospective', 'active', 'suspended'))"
    )
    op.execute("ALTER TABLE contracts.hotel ADD COLUMN status_summary text NOT NULL DEFAULT ''")
    op.execute(
        "ALTER TABLE contracts.hotel ADD COLUMN member_requests integer NOT NULL DEFAULT 0 "
        "CHECK (member_requests >= 0)"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE contracts.hotel DROP COLUMN member_requests")
    op.execute("ALTER TABLE contracts.hotel DROP COLUMN status_summary")
    op.execute("UPDATE contracts.hotel SET status = 'suspended' WHERE status = 'prospective'")
    op.execute("ALTER TABLE contracts.hotel DROP CONSTRAINT hotel_status_check")
    op.execute(
        "ALTER TABLE contracts.hotel ADD CONSTRAINT hotel_status_check "
        "CHECK (status IN ('active', 'suspended'))"
    )
