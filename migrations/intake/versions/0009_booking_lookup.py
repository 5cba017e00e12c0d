"""Finding bookings (issue 15): ``booking.search_names`` holds every name on a booking (booker
and guests) as typed and in pinyin (``services.intake.lookup.keys``), written with the booking
and with each change of its guests; a trigram index finds a name typed in part. Bookings from
before are filled here, a batch at a time, each batch one UPDATE.

``booking_agent_open``: an agent's bookings that still wait for the hotel, the pricing desk or
a call back ("my pending"), without reading the rest of their history.

pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.

Revision ID: intake_0009_booking_lookup
Revises: intake_0008_booking_forms
"""

from alembic import op
from sqlalchemy import text

from services.intake.lookup.keys import search_names

revision = "intake_0009_booking_lookup"
down_revision = "intake_0008_booking_forms"
branch_labels = None
depends_on = None

BATCH = 5000
OPEN_STATUSES = "('placed', 'requested', 'awaiting_price_approval', 'full', 'price_rejected')"


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("ALTER TABLE intake.booking ADD COLUMN search_names text NOT NULL DEFAULT ''")
    _backfill()
    op.execute(
        "CREATE INDEX booking_search_names ON intake.booking USING gin (search_names gin_trgm_ops)"
    )
    op.execute(
        "CREATE INDEX booking_agent_open ON intake.booking (agent_username, check_in)"
        f" WHERE status IN {OPEN_STATUSES}"
    )


def _backfill() -> None:
    """Pinyin is computed in Python; each batch is written by one set-based UPDATE."""
    connection = op.get_bind()
    after = None
    while True:
        rows = connection.execute(
            text(
                "SELECT booking_id, booker_name, guest_names FROM intake.booking"
                " WHERE CAST(:after AS uuid) IS NULL OR booking_id > CAST(:after AS uuid)"
                " ORDER BY booking_id LIMIT :batch"
            ),
            {"after": after, "batch": BATCH},
        ).all()
        if not rows:
            return
        connection.execute(
            text(
                "UPDATE intake.booking b SET search_names = v.names"
                " FROM unnest(CAST(:ids AS uuid[]), CAST(:names AS text[])) AS v(id, names)"
                " WHERE b.booking_id = v.id"
            ),
            {
                "ids": [r.booking_id for r in rows],
                "names": [search_names(r.booker_name, list(r.guest_names)) for r in rows],
            },
        )
        after = rows[-1].booking_id


def downgrade() -> None:
    op.execute("DROP INDEX intake.booking_agent_open")
    op.execute("DROP INDEX intake.booking_search_names")
    op.execute("ALTER TABLE intake.booking DROP COLUMN search_names")
