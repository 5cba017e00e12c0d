"""The booking desk of issue 5: the rest of IN-4 on each booking (where the customer's
confirmation goes, "reply at once"), on-request bookings (HR-2), handle time (IN-1, IN-12) and
special prices waiting for the pricing desk (IN-11).

Revision ID: intake_0004_booking_desk
Revises: intake_0002
"""

from alembic import op

revision = "intake_0004_booking_desk"
down_revision = "intake_0002"
branch_labels = None
depends_on = None

UPGRADE = [
    """ALTER TABLE intake.booking
        ADD COLUMN confirm_contact text NOT NULL DEFAULT '',
        ADD COLUMN reply_at_once boolean NOT NULL DEFAULT false,
        ADD COLUMN on_request boolean NOT NULL DEFAULT false,
        ADD COLUMN call_id varchar(64),
        ADD COLUMN handling_source varchar(10),
        ADD COLUMN handle_seconds integer,
        ADD CONSTRAINT booking_handle_seconds_not_negative CHECK (handle_seconds >= 0),
        ADD CONSTRAINT booking_handling_source
            CHECK (handling_source IN ('call', 'form')),
        -- 'awaiting_price_approval' (IN-11) is 23 characters.
        ALTER COLUMN status TYPE varchar(30)""",
    # IN-12: the team page reads every agent's bookings of a day, week or month.
    "CREATE INDEX booking_committed ON intake.booking (committed_at)",
    # IN-11: one special price per booking; the published prices are kept as the agent saw
    # them, so the pricing desk judges the discount the agent asked for.
    """CREATE TABLE intake.special_price (
        booking_id uuid PRIMARY KEY REFERENCES intake.booking (booking_id),
        booking_ref varchar(12) NOT NULL,
        requested_by varchar(80) NOT NULL,
        requested_at timestamptz NOT NULL,
        special_sell_minor bigint NOT NULL,
        published jsonb NOT NULL,
        reason text NOT NULL,
        state varchar(10) NOT NULL DEFAULT 'pending',
        decided_by varchar(80),
        decided_at timestamptz,
        decision_note text NOT NULL DEFAULT '',
        CONSTRAINT special_price_positive CHECK (special_sell_minor > 0),
        CONSTRAINT special_price_state CHECK (state IN ('pending', 'approved', 'rejected')),
        CONSTRAINT special_price_decided
            CHECK ((state = 'pending') = (decided_by IS NULL AND decided_at IS NULL))
    )""",
    "CREATE INDEX special_price_state_requested ON intake.special_price (state, requested_at)",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE intake.special_price")
    op.execute("DROP INDEX intake.booking_committed")
    op.execute(
        """ALTER TABLE intake.booking
            DROP COLUMN confirm_contact,
            DROP COLUMN reply_at_once,
            DROP COLUMN on_request,
            DROP COLUMN call_id,
            DROP COLUMN handling_source,
            DROP COLUMN handle_seconds,
            ALTER COLUMN status TYPE varchar(20)"""
    )
