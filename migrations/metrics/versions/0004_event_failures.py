"""Dead letters and ordered events (issue 12): the outbox carries each event's aggregate and
its version, a per-aggregate counter numbers them, and handlers that keep failing leave
their event in ``dead_letter`` for an operator to redrive or discard.

Revision ID: metrics_0004_event_failures
Revises: metrics_0003_desk_sla
"""

from alembic import op

from shared.events.outbox import outbox_ordering_ddl

revision = "metrics_0004_event_failures"
down_revision = "metrics_0003_desk_sla"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in outbox_ordering_ddl("metrics"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE metrics.dead_letter")
    op.execute("DROP TABLE metrics.aggregate_version")
    op.execute("ALTER TABLE metrics.outbox DROP COLUMN aggregate, DROP COLUMN aggregate_version")
