"""The shift handover book (IN-6): what one shift hands to the next, and who acknowledged it.

Revision ID: intake_0004_handover
Revises: intake_0002
"""

from alembic import op

revision = "intake_0004_handover"
down_revision = "intake_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per receiving shift, made by the first entry written for it.
    op.execute(
        """CREATE TABLE intake.handover (
            handover_id uuid PRIMARY KEY,
            shift varchar(10) NOT NULL CHECK (shift IN ('morning', 'evening', 'night')),
            shift_date date NOT NULL,
            starts_at timestamptz NOT NULL UNIQUE,
            from_shift varchar(10) NOT NULL,
            from_starts_at timestamptz NOT NULL,
            created_at timestamptz NOT NULL
        )"""
    )
    op.execute(
        """CREATE TABLE intake.handover_entry (
            entry_id uuid PRIMARY KEY,
            handover_id uuid NOT NULL REFERENCES intake.handover,
            kind varchar(4) NOT NULL CHECK (kind IN ('note', 'task')),
            body text NOT NULL,
            booking_ref varchar(12) NOT NULL DEFAULT '',
            priority varchar(6) NOT NULL CHECK (priority IN ('normal', 'high', 'urgent')),
            written_by varchar(80) NOT NULL,
            written_at timestamptz NOT NULL,
            done_by varchar(80),
            done_at timestamptz,
            done_note text NOT NULL DEFAULT '',
            CHECK (kind = 'task' OR done_at IS NULL),
            CHECK ((done_at IS NULL) = (done_by IS NULL))
        )"""
    )
    op.execute("CREATE INDEX handover_entry_handover ON intake.handover_entry (handover_id)")
    op.execute(
        "CREATE INDEX handover_entry_open_task ON intake.handover_entry (written_at) "
        "WHERE kind = 'task' AND done_at IS NULL"
    )
    op.execute(
        """CREATE TABLE intake.handover_ack (
            handover_id uuid NOT NULL REFERENCES intake.handover,
            username varchar(80) NOT NULL,
            display_name text NOT NULL,
            acknowledged_at timestamptz NOT NULL,
            PRIMARY KEY (handover_id, username)
        )"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE intake.handover_ack, intake.handover_entry, intake.handover")
