"""The hotels' answers reach the booking desk (issue 6): confirmed and full-house bookings
(CF-3, CF-4) and where a booking came from (CF-5).

- ``booking.source``: "phone" (an agent took it) or "online" (the guest booked on the web site;
  the confirmation desk calls the guest to verify before sending it, CF-5).
- ``booking.remarks``: notes kept on the booking; a full house appends the hotel's reason (CF-3).
- ``booking.hotel_confirmation_no`` / ``hotel_confirmed_at`` / ``hotel_confirmed_version``: the
  hotel's number for the version it confirmed (CF-4); an answer for an older version never
  overwrites a newer one. ``hotel_cancellation_no`` / ``hotel_cancelled_at``: the hotel's number
  for a cancellation.
- ``hotel_answer``: every answer the confirmation desk sent us, one row per event (its id is the
  key, so a redelivered event cannot add a second), applied or not (a late answer for an older
  version is kept for the record but changes nothing).
- ``full_house_notice``: a booking that went full house, for its agent to call the customer
  with alternatives, and who acknowledged that call and when. One per booking: full is final.

``booking.status`` gains 'confirmed' and 'full' (the column has no CHECK, nothing to alter).

Revision ID: intake_0005_hotel_answers
Revises: intake_0004_booking_changes
"""

from alembic import op

revision = "intake_0005_hotel_answers"
down_revision = "intake_0004_booking_changes"
branch_labels = None
depends_on = None

UPGRADE = [
    """ALTER TABLE intake.booking
        ADD COLUMN source varchar(10) NOT NULL DEFAULT 'phone',
        ADD CONSTRAINT booking_source CHECK (source IN ('phone', 'online')),
        ADD COLUMN remarks text NOT NULL DEFAULT '',
        ADD COLUMN hotel_confirmation_no varchar(60),
        ADD COLUMN hotel_confirmed_at timestamptz,
        ADD COLUMN hotel_confirmed_version integer,
        ADD COLUMN hotel_cancellation_no varchar(60),
        ADD COLUMN hotel_cancelled_at timestamptz,
        ADD CONSTRAINT booking_hotel_confirmed CHECK (
            (hotel_confirmation_no IS NULL) = (hotel_confirmed_at IS NULL)
            AND (hotel_confirmation_no IS NULL) = (hotel_confirmed_version IS NULL)
        ),
        ADD CONSTRAINT booking_hotel_cancelled
            CHECK ((hotel_cancellation_no IS NULL) = (hotel_cancelled_at IS NULL))""",
    """CREATE TABLE intake.hotel_answer (
        event_id uuid PRIMARY KEY,
        booking_id uuid NOT NULL REFERENCES intake.booking (booking_id) ON DELETE CASCADE,
        outcome varchar(10) NOT NULL CHECK (outcome IN ('confirmed', 'full')),
        kind varchar(10) CHECK (kind IN ('new', 'modify', 'cancel')),
        booking_version integer,
        confirmation_no varchar(60),
        reason text,
        answered_by varchar(80) NOT NULL,
        answered_at timestamptz NOT NULL,
        applied boolean NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT hotel_answer_says_what CHECK (
            (outcome = 'confirmed' AND confirmation_no IS NOT NULL AND kind IS NOT NULL)
            OR (outcome = 'full' AND reason IS NOT NULL)
        )
    )""",
    "CREATE INDEX hotel_answer_booking ON intake.hotel_answer (booking_id, answered_at)",
    """CREATE TABLE intake.full_house_notice (
        booking_id uuid PRIMARY KEY REFERENCES intake.booking (booking_id) ON DELETE CASCADE,
        booking_ref varchar(12) NOT NULL UNIQUE,
        agent_username varchar(80) NOT NULL,
        reason text NOT NULL,
        marked_by varchar(80) NOT NULL,
        marked_at timestamptz NOT NULL,
        acknowledged_by varchar(80),
        acknowledged_at timestamptz,
        CONSTRAINT full_house_notice_acknowledged
            CHECK ((acknowledged_by IS NULL) = (acknowledged_at IS NULL))
    )""",
    # The agent's search page asks for his open ones on every load.
    """CREATE INDEX full_house_notice_open ON intake.full_house_notice (agent_username, marked_at)
        WHERE acknowledged_at IS NULL""",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE intake.full_house_notice")
    op.execute("DROP TABLE intake.hotel_answer")
    op.execute(
        """ALTER TABLE intake.booking
            DROP CONSTRAINT booking_hotel_cancelled,
            DROP CONSTRAINT booking_hotel_confirmed,
            DROP COLUMN hotel_cancelled_at,
            DROP COLUMN hotel_cancellation_no,
            DROP COLUMN hotel_confirmed_version,
            DROP COLUMN hotel_confirmed_at,
            DROP COLUMN hotel_confirmation_no,
            DROP COLUMN remarks,
            DROP CONSTRAINT booking_source,
            DROP COLUMN source"""
    )
