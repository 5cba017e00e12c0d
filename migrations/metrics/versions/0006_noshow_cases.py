"""SL-4 (issue 16): the no-show desk's cases as metrics projects them from
``noshow.case_opened`` / ``noshow.case_finished``, for the breach list and the gauge
``roomline_sla_noshow_overdue``.

Revision ID: metrics_0006_noshow_cases
Revises: metrics_0005_agent_names
"""

from alembic import op

revision = "metrics_0006_noshow_cases"
down_revision = "metrics_0005_agent_names"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE metrics.noshow_case (
            case_id uuid PRIMARY KEY,
            booking_ref varchar(40),
            hotel_name varchar(300),
            business_date date,
            opened_at timestamptz,
            due_at timestamptz,
            finished_at timestamptz,
            outcome varchar(20)
        )"""
    )
    op.execute(
        "CREATE INDEX noshow_case_unfinished ON metrics.noshow_case (due_at)"
        " WHERE finished_at IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP TABLE metrics.noshow_case")
