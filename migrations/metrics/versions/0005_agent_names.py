"""Telephony agents mapped to staff (issue 15): ``agent_name`` names the person who answers
on each extension, so the service-level pages show people, not ``PJSIP/801``.

Revision ID: metrics_0005_agent_names
Revises: metrics_0004_event_failures
"""

from alembic import op

revision = "metrics_0005_agent_names"
down_revision = "metrics_0004_event_failures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE metrics.agent_name (
            extension varchar(120) PRIMARY KEY,
            staff_username varchar(120) NOT NULL,
            display_name varchar(200) NOT NULL,
            updated_by varchar(80) NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        )"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE metrics.agent_name")
