"""Contracts' copy of complaints about its hotels, fed by members' complaint events (HR-12).

A closing can be delivered before its filing (two queue jobs), so a row may start with only
the closing: the filing's columns stay NULL until it arrives and fills them in. No foreign key
to ``hotel``: an event naming a hotel we do not know must not fail forever.

Revision ID: contracts_0003_complaints
Revises: contracts_0002
"""

from alembic import op

revision = "contracts_0003_complaints"
down_revision = "contracts_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE contracts.hotel_complaint (
            complaint_id uuid PRIMARY KEY,
            hotel_id uuid,
            complainant_name text NOT NULL DEFAULT '',
            member_card varchar(40) NOT NULL DEFAULT '',
            booking_ref varchar(40),
            category varchar(60) NOT NULL DEFAULT '',
            severity varchar(5) CHECK (severity IN ('minor', 'major')),
            summary text NOT NULL DEFAULT '',
            filed_at timestamptz,
            outcome text,
            closed_at timestamptz,
            CHECK ((hotel_id IS NULL) = (filed_at IS NULL)),
            CHECK ((outcome IS NULL) = (closed_at IS NULL)),
            CHECK (hotel_id IS NOT NULL OR closed_at IS NOT NULL)
        )"""
    )
    op.execute(
        "CREATE INDEX hotel_complaint_hotel ON contracts.hotel_complaint (hotel_id, filed_at)"
    )


def downgrade() -> None:
    op.execute("DROP TABLE contracts.hotel_complaint")
