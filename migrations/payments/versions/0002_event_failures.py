"""Dead letters and ordered events (issue 12): the outbox carries each event's aggregate and
its version, a per-aggregate counter numbers them, and handlers that keep failing leave
their event in ``dead_letter`` for an operator to redrive or discard.

Revision ID: payments_0002_event_failures
Revises: payments_0001
"""

from alembic import op

from shared.events.outbox import outbox_ordering_ddl

revision = "payments_0002_event_failures"
down_revision = "payments_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in outbox_ordering_ddl("payments"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE payments.dead_letter")
    op.execute("DROP TABLE payments.aggregate_version")
    op.execute("ALTER TABLE payments.outbox DROP COLUMN aggregate, DROP COLUMN aggregate_version")
