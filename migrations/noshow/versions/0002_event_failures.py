"""Dead letters and ordered events (issue 12): the outbox carries each event's aggregate and
its version, a per-aggregate counter numbers them, and handlers that keep failing leave
their event in ``dead_letter`` for an operator to redrive or discard.

Revision ID: noshow_0002_event_failures
Revises: noshow_0001
"""

from alembic import op

from shared.events.outbox import outbox_ordering_ddl

revision = "noshow_0002_event_failures"
down_revision = "noshow_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in outbox_ordering_ddl("noshow"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE noshow.dead_letter")
    op.execute("DROP TABLE noshow.aggregate_version")
    op.execute("ALTER TABLE noshow.outbox DROP COLUMN aggregate, DROP COLUMN aggregate_version")
