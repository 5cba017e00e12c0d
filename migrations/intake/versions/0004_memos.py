"""Internal communication forms (IN-7): special problems routed to a department, with their
replies and status changes.

Revision ID: intake_0004_memos
Revises: intake_0002
"""

from alembic import op

revision = "intake_0004_memos"
down_revision = "intake_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE intake.memo (
            memo_id uuid PRIMARY KEY,
            memo_no bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
            problem varchar(30) NOT NULL CHECK (problem IN ('price_mismatch',
                'guest_name_mismatch', 'company_mismatch', 'room_count_mismatch', 'other')),
            booking_ref varchar(12) NOT NULL DEFAULT '',
            description text NOT NULL,
            department varchar(20) NOT NULL CHECK (department IN ('hotel_resources',
                'confirmation', 'finance', 'customer_service', 'booking')),
            status varchar(12) NOT NULL CHECK (status IN ('open', 'in_progress', 'answered',
                'closed')),
            owner_username varchar(80),
            raised_by varchar(80) NOT NULL,
            raised_at timestamptz NOT NULL,
            due_at timestamptz NOT NULL,
            answered_at timestamptz,
            closed_at timestamptz,
            updated_at timestamptz NOT NULL
        )"""
    )
    op.execute("CREATE INDEX memo_department_status ON intake.memo (department, status, due_at)")
    op.execute(
        "CREATE INDEX memo_active_due ON intake.memo (due_at) "
        "WHERE status IN ('open', 'in_progress')"
    )
    op.execute(
        """CREATE TABLE intake.memo_reply (
            reply_id uuid PRIMARY KEY,
            memo_id uuid NOT NULL REFERENCES intake.memo,
            author varchar(80) NOT NULL,
            body text NOT NULL DEFAULT '',
            status_from varchar(12),
            status_to varchar(12),
            written_at timestamptz NOT NULL
        )"""
    )
    op.execute("CREATE INDEX memo_reply_memo ON intake.memo_reply (memo_id, written_at)")


def downgrade() -> None:
    op.execute("DROP TABLE intake.memo_reply, intake.memo")
