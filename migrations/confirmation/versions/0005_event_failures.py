"""Dead letters and ordered events (issue 12): the outbox carries each event's aggregate and
its version, a per-aggregate counter numbers them, and handlers that keep failing leave
their event in ``dead_letter`` for an operator to redrive or discard.

Revision ID: confirmation_0005_event_failures
Revises: confirmation_0004_desk_work
"""

from alembic import op

from shared.events.outbox import outbox_ordering_ddl

revision = "confirmation_0005_event_failures"
down_revision = "confirmation_0004_desk_work"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in outbox_ordering_ddl("confirmation"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE confirmation.dead_letter")
    op.execute("DROP TABLE confirmation.aggregate_version")
    op.execute(
        "ALTER TABLE confirmation.outbox DROP COLUMN aggregate, DROP COLUMN aggregate_version"
    )
