"""Free rooms granted by hotels and staff use of them, approved by director then GM (HR-9).

Revision ID: contracts_0003_free_rooms
Revises: contracts_0002
"""

from alembic import op

revision = "contracts_0003_free_rooms"
down_revision = "contracts_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE contracts.free_room_grant (
            grant_id uuid PRIMARY KEY,
            hotel_id uuid NOT NULL REFERENCES contracts.hotel,
            room_nights_per_month integer NOT NULL CHECK (room_nights_per_month > 0),
            valid_from date NOT NULL,
            valid_to date NOT NULL,
            note text NOT NULL DEFAULT '',
            created_by varchar(80) NOT NULL,
            CHECK (valid_to >= valid_from)
        )"""
    )
    op.execute(
        """CREATE TABLE contracts.free_room_use (
            use_id uuid PRIMARY KEY,
            grant_id uuid NOT NULL REFERENCES contracts.free_room_grant,
            first_night date NOT NULL,
            nights integer NOT NULL CHECK (nights BETWEEN 1 AND 30),
            rooms integer NOT NULL CHECK (rooms BETWEEN 1 AND 20),
            traveller varchar(120) NOT NULL,
            purpose text NOT NULL,
            state varchar(20) NOT NULL DEFAULT 'requested' CHECK (state IN
                ('requested', 'director_approved', 'approved', 'rejected')),
            requested_by varchar(80) NOT NULL,
            director_by varchar(80),
            manager_by varchar(80),
            decided_at timestamptz
        )"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE contracts.free_room_use")
    op.execute("DROP TABLE contracts.free_room_grant")
