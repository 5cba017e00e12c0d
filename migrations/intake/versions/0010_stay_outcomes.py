"""The stay's outcome on the booking (issue 16), from the no-show desk's
``noshow.stay_completed`` and ``noshow.no_show_recorded``.

- ``stay_outcome``: the outcome as it now stands, one row per booking: stayed, or a no-show
  (``stage`` provisional until the second check with the hotel, then final, NS-5);
  ``corrected`` when it replaced an earlier outcome (NS-3). Only a higher ``outcome_version``
  replaces the row, so events delivered twice or out of order leave the newest.
- ``stay_outcome_entry``: every outcome version, for the booking's history.

Revision ID: intake_0010_stay_outcomes
Revises: intake_0009_booking_lookup
"""

from alembic import op

revision = "intake_0010_stay_outcomes"
down_revision = "intake_0009_booking_lookup"
branch_labels = None
depends_on = None

_OUTCOME = """
        outcome varchar(10) NOT NULL CHECK (outcome IN ('stayed', 'no_show')),
        stage varchar(12) CHECK (stage IN ('provisional', 'final')),
        {extra}
        nights_stayed integer,
        room_revenue_minor bigint,
        fee_minor bigint,
        currency varchar(3) NOT NULL,
        reason_category varchar(40) NOT NULL,
        note text NOT NULL,
        recorded_by varchar(120) NOT NULL,
        recorded_at timestamptz NOT NULL,
        CONSTRAINT {table}_stage CHECK ((outcome = 'no_show') = (stage IS NOT NULL))"""

UPGRADE = [
    f"""CREATE TABLE intake.stay_outcome (
        booking_id uuid PRIMARY KEY REFERENCES intake.booking (booking_id) ON DELETE CASCADE,
        corrected boolean NOT NULL,
        outcome_version integer NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        {_OUTCOME.format(extra="", table="stay_outcome")}
    )""",
    f"""CREATE TABLE intake.stay_outcome_entry (
        booking_id uuid NOT NULL REFERENCES intake.booking (booking_id) ON DELETE CASCADE,
        outcome_version integer NOT NULL,
        event_id uuid NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        {_OUTCOME.format(extra="corrects_version integer,", table="stay_outcome_entry")},
        PRIMARY KEY (booking_id, outcome_version)
    )""",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE intake.stay_outcome_entry")
    op.execute("DROP TABLE intake.stay_outcome")
