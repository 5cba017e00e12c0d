"""SL-5: complaints' clocks from members' events (issue 18): one row per complaint from
``members.complaint_routed`` (due times) and ``members.complaint_answered`` (stages met), for
the breach list and the gauge ``roomline_sla_complaints_overdue{stage}``. Events arrive in any
order, so every column but the key is nullable. No index beyond the key: a desk files a few
complaints a day.

Revision ID: metrics_0007_complaints
Revises: metrics_0006_noshow_cases
"""

from alembic import op

revision = "metrics_0007_complaints"
down_revision = "metrics_0006_noshow_cases"
branch_labels = None
depends_on = None

STATEMENTS: list[str] = [
    """CREATE TABLE metrics.complaint_clock (
        complaint_id uuid PRIMARY KEY,
        complaint_no bigint,
        category varchar(60),
        severity varchar(10),
        hotel_name varchar(300),
        department varchar(20),
        filed_at timestamptz,
        department_due_at timestamptz,
        progress_due_at timestamptz,
        final_due_at timestamptz,
        department_at timestamptz,
        progress_at timestamptz,
        final_at timestamptz
    )""",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE metrics.complaint_clock")
