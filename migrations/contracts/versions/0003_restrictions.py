"""Per room type and night sales restrictions (HR-2 room status, IN-2): release days, minimum
stay, closed to arrival / departure, stop-sell and the hotel's room status.

A night without a row has the defaults: no release, one night minimum, open, available.

Revision ID: contracts_0003_restrictions
Revises: contracts_0002
"""

from alembic import op

revision = "contracts_0003_restrictions"
down_revision = "contracts_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE contracts.night_restriction (
            room_type_id uuid NOT NULL REFERENCES contracts.room_type,
            night date NOT NULL,
            release_days integer NOT NULL DEFAULT 0 CHECK (release_days >= 0),
            min_stay integer NOT NULL DEFAULT 1 CHECK (min_stay >= 1),
            closed_to_arrival boolean NOT NULL DEFAULT false,
            closed_to_departure boolean NOT NULL DEFAULT false,
            stop_sell boolean NOT NULL DEFAULT false,
            room_status varchar(12) NOT NULL DEFAULT 'available'
                CHECK (room_status IN ('available', 'on_request', 'full')),
            PRIMARY KEY (room_type_id, night)
        )"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE contracts.night_restriction")
