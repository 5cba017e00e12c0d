"""Caller context (IN-8, IN-10): intake's copy of the members service's members, and indexes
to find a caller's bookings by phone (any spelling, ``shared.phones``) or member card.

The expression below must stay the one ``shared.phones.phone_key_sql('booker_phone')``
builds, or PostgreSQL will not use the index (tests/services/intake/test_callers.py checks).

Revision ID: intake_0004_callers
Revises: intake_0002
"""

from alembic import op

revision = "intake_0004_callers"
down_revision = "intake_0002"
branch_labels = None
depends_on = None

# Frozen copy of shared.phones.phone_key_sql("booker_phone") as of this revision.
_DIGITS = r"regexp_replace(booker_phone, '\D', '', 'g')"
_NATIONAL = rf"regexp_replace({_DIGITS}, '^(00)?86(\d{{10,}})$', '\2')"
PHONE_KEY = (
    f"(CASE WHEN length({_NATIONAL}) > 7 "
    f"THEN regexp_replace({_NATIONAL}, '^0', '') ELSE {_NATIONAL} END)"
)


def upgrade() -> None:
    op.execute(
        """CREATE TABLE intake.member (
            member_id uuid PRIMARY KEY,
            version_no integer NOT NULL,
            card_no varchar(40) NOT NULL,
            name text NOT NULL,
            phones text[] NOT NULL,
            phone_keys text[] NOT NULL,
            level varchar(20) NOT NULL,
            complaint_open boolean NOT NULL,
            complaint_note text NOT NULL,
            complaint_on date,
            occurred_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    # Not unique: two members swapping cards arrive as two events, one at a time.
    op.execute("CREATE INDEX member_card ON intake.member (card_no)")
    op.execute("CREATE INDEX member_phone_keys ON intake.member USING gin (phone_keys)")
    op.execute(f"CREATE INDEX booking_booker_phone_key ON intake.booking ({PHONE_KEY})")
    op.execute(
        "CREATE INDEX booking_member_card ON intake.booking (upper(member_card)) "
        "WHERE member_card <> ''"
    )


def downgrade() -> None:
    op.execute("DROP INDEX intake.booking_member_card")
    op.execute("DROP INDEX intake.booking_booker_phone_key")
    op.execute("DROP TABLE intake.member")
