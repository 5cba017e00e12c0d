"""Intake's copy of contracts' per-night sales restrictions (IN-2), fed by
``contracts.restrictions_set``. A separate table rather than columns on ``inventory_night``:
restrictions may arrive before any allotment, and the booking hot path's row locks stay as
they were. ``occurred_at`` guards against an older event overwriting a newer one.

Revision ID: intake_0003
Revises: intake_0002
"""

from alembic import op

revision = "intake_0003"
down_revision = "intake_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE intake.night_restriction (
            room_type_id uuid NOT NULL,
            night date NOT NULL,
            hotel_id uuid NOT NULL,
            release_days integer NOT NULL DEFAULT 0,
            min_stay integer NOT NULL DEFAULT 1,
            closed_to_arrival boolean NOT NULL DEFAULT false,
            closed_to_departure boolean NOT NULL DEFAULT false,
            stop_sell boolean NOT NULL DEFAULT false,
            room_status varchar(12) NOT NULL DEFAULT 'available',
            occurred_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (room_type_id, night)
        )"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE intake.night_restriction")
