"""The history of every booking change: modifications and cancellations with their reason,
who made them and the booking before and after (IN-5).

``booking_version`` is the booking's version after the change; UNIQUE (booking_id,
booking_version) is the database's own guard that two changes cannot both follow the same
version, whatever the code above it does. ``booking.status`` gains the value 'cancelled'
(the column has no CHECK, so nothing to alter).

Revision ID: intake_0004_booking_changes
Revises: intake_0004_booking_version
"""

from alembic import op

revision = "intake_0004_booking_changes"
down_revision = "intake_0004_booking_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE intake.booking_change (
            change_id uuid PRIMARY KEY,
            booking_id uuid NOT NULL REFERENCES intake.booking (booking_id) ON DELETE CASCADE,
            booking_version integer NOT NULL CHECK (booking_version > 1),
            kind varchar(10) NOT NULL CHECK (kind IN ('modify', 'cancel')),
            reason text NOT NULL CHECK (btrim(reason) <> ''),
            reason_category varchar(20) NOT NULL CHECK (
                reason_category IN ('guest_request', 'hotel_request', 'agent_error', 'other')
            ),
            changed_by varchar(80) NOT NULL,
            changed_at timestamptz NOT NULL,
            before jsonb NOT NULL,
            after jsonb NOT NULL,
            CONSTRAINT booking_change_one_per_version UNIQUE (booking_id, booking_version)
        )"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE intake.booking_change")
