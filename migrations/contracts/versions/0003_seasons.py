"""High-season and exhibition periods per city, with the rooms guaranteed for them (HR-7).

Revision ID: contracts_0003_seasons
Revises: contracts_0002
"""

from alembic import op

revision = "contracts_0003_seasons"
down_revision = "contracts_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE contracts.season (
            season_id uuid PRIMARY KEY,
            city varchar(80) NOT NULL,
            name varchar(200) NOT NULL,
            kind varchar(12) NOT NULL CHECK (kind IN ('high_season', 'exhibition')),
            first_night date NOT NULL,
            last_night date NOT NULL,
            guaranteed_rooms integer NOT NULL DEFAULT 0 CHECK (guaranteed_rooms >= 0),
            note text NOT NULL DEFAULT '',
            created_by varchar(80) NOT NULL,
            CHECK (last_night >= first_night)
        )"""
    )
    op.execute("CREATE INDEX season_city ON contracts.season (lower(city), first_night)")


def downgrade() -> None:
    op.execute("DROP TABLE contracts.season")
