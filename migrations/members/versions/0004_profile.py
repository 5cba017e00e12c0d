"""Members' profiles (issue 18, CS-1): contact details, address, how they joined, card history,
bookings.

Revision ID: members_0004_profile
Revises: members_0003_event_failures
"""

from alembic import op

revision = "members_0004_profile"
down_revision = "members_0003_event_failures"
branch_labels = None
depends_on = None

STATEMENTS: list[str] = [
    """ALTER TABLE members.member
        ADD COLUMN email varchar(200) NOT NULL DEFAULT '',
        ADD COLUMN address text NOT NULL DEFAULT '',
        ADD COLUMN postcode varchar(12) NOT NULL DEFAULT '',
        ADD COLUMN city varchar(60) NOT NULL DEFAULT '',
        ADD COLUMN joined_via varchar(10) NOT NULL DEFAULT 'desk',
        ADD COLUMN joined_on date NOT NULL DEFAULT CURRENT_DATE""",
    """ALTER TABLE members.member ADD CONSTRAINT member_joined_via_known
        CHECK (joined_via IN ('desk', 'online'))""",
    # CS-1: every card number change, with why (a lost card, a new level's card), kept for
    # the inquiry screen; append-only by use (nothing edits a past change).
    """CREATE TABLE members.card_change (
        change_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        member_id uuid NOT NULL REFERENCES members.member (member_id),
        old_card varchar(40) NOT NULL,
        new_card varchar(40) NOT NULL,
        reason varchar(200) NOT NULL DEFAULT '',
        changed_by varchar(120) NOT NULL,
        changed_at timestamptz NOT NULL
    )""",
    "CREATE INDEX card_change_member ON members.card_change (member_id, changed_at)",
    # CS-1: members' bookings, a projection of intake's booking events. member_card is NULL
    # while only a change of the booking has arrived (changes do not carry the card): such a
    # row is never shown, and its placement fills the card in or deletes the row.
    """CREATE TABLE members.member_booking (
        booking_id uuid PRIMARY KEY,
        member_card varchar(40),
        booking_ref varchar(40) NOT NULL,
        hotel_id uuid NOT NULL,
        hotel_name varchar(300) NOT NULL,
        check_in date NOT NULL,
        check_out date NOT NULL,
        rooms integer NOT NULL,
        currency varchar(3) NOT NULL,
        total_sell_minor bigint NOT NULL,
        status varchar(10) NOT NULL,
        stay_outcome varchar(10),
        booking_version integer NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT member_booking_status_known
            CHECK (status IN ('placed', 'modified', 'cancelled')),
        CONSTRAINT member_booking_outcome_known
            CHECK (stay_outcome IS NULL OR stay_outcome IN ('stayed', 'no_show'))
    )""",
    """CREATE INDEX member_booking_card ON members.member_booking (member_card, check_in)
        WHERE member_card IS NOT NULL""",
    """CREATE INDEX member_booking_unknown_card ON members.member_booking (updated_at)
        WHERE member_card IS NULL""",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE members.member_booking")
    op.execute("DROP TABLE members.card_change")
    op.execute(
        """ALTER TABLE members.member DROP CONSTRAINT member_joined_via_known,
            DROP COLUMN email, DROP COLUMN address, DROP COLUMN postcode, DROP COLUMN city,
            DROP COLUMN joined_via, DROP COLUMN joined_on"""
    )
