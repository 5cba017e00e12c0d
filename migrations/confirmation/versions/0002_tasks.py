"""The confirmation desk's queue (CF-1, CF-2) and its projection of hotel contacts.

Revision ID: confirmation_0002
Revises: confirmation_0001
"""

from alembic import op

revision = "confirmation_0002"
down_revision = "confirmation_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Fed by contracts.hotel_published (full snapshots). occurred_at guards against an older
    # snapshot delivered late overwriting a newer one.
    op.execute(
        """CREATE TABLE confirmation.hotel_contact (
            hotel_id uuid PRIMARY KEY,
            name_zh varchar(200) NOT NULL,
            name_en varchar(200) NOT NULL,
            city varchar(80) NOT NULL,
            confirm_channel varchar(10) NOT NULL,
            fax varchar(40) NOT NULL DEFAULT '',
            email varchar(200) NOT NULL DEFAULT '',
            phone varchar(40) NOT NULL DEFAULT '',
            occurred_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    # One task per booking event kind (CF-1: new bookings now; modifications and
    # cancellations later). UNIQUE (booking_id, kind) is the second guard against a
    # redelivered event, besides the inbox.
    op.execute(
        """CREATE TABLE confirmation.confirmation_task (
            task_id uuid PRIMARY KEY,
            booking_id uuid NOT NULL,
            kind varchar(12) NOT NULL DEFAULT 'new'
                CHECK (kind IN ('new', 'modify', 'cancel')),
            booking_ref varchar(40) NOT NULL,
            hotel_id uuid NOT NULL,
            hotel_name varchar(400) NOT NULL,
            room_type_name varchar(120) NOT NULL,
            rate_plan_name varchar(120) NOT NULL,
            check_in date NOT NULL,
            check_out date NOT NULL,
            rooms integer NOT NULL CHECK (rooms > 0),
            guest_names jsonb NOT NULL,
            payment_mode varchar(20) NOT NULL,
            confirm_channel varchar(10) NOT NULL,
            special_requests text NOT NULL DEFAULT '',
            urgent boolean NOT NULL DEFAULT false,
            booked_at timestamptz NOT NULL,
            deadline_at timestamptz NOT NULL,
            state varchar(12) NOT NULL DEFAULT 'unsent'
                CHECK (state IN ('unsent', 'sent', 'confirmed', 'full')),
            created_at timestamptz NOT NULL DEFAULT now(),
            CHECK (check_out > check_in),
            UNIQUE (booking_id, kind)
        )"""
    )
    # The queue is worked by deadline within a state (CF-2).
    op.execute(
        "CREATE INDEX confirmation_task_queue"
        " ON confirmation.confirmation_task (state, deadline_at)"
    )
    op.execute("CREATE INDEX confirmation_task_ref ON confirmation.confirmation_task (booking_ref)")


def downgrade() -> None:
    op.execute("DROP TABLE confirmation.confirmation_task")
    op.execute("DROP TABLE confirmation.hotel_contact")
