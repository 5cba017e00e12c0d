"""The month's recommended hotels per city, approved by the director (HR-6).

Revision ID: contracts_0003_recommendations
Revises: contracts_0002
"""

from alembic import op

revision = "contracts_0003_recommendations"
down_revision = "contracts_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE contracts.recommendation (
            recommendation_id uuid PRIMARY KEY,
            month date NOT NULL CHECK (extract(day FROM month) = 1),
            hotel_id uuid NOT NULL REFERENCES contracts.hotel,
            reason text NOT NULL,
            state varchar(10) NOT NULL DEFAULT 'proposed'
                CHECK (state IN ('proposed', 'approved', 'rejected')),
            proposed_by varchar(80) NOT NULL,
            proposed_at timestamptz NOT NULL DEFAULT now(),
            decided_by varchar(80),
            decided_at timestamptz,
            UNIQUE (month, hotel_id)
        )"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE contracts.recommendation")
