"""Dead letters and ordered events (issue 12): the outbox carries each event's aggregate and
its version, a per-aggregate counter numbers them, and handlers that keep failing leave
their event in ``dead_letter`` for an operator to redrive or discard.

Revision ID: members_0003_event_failures
Revises: members_0002_members
"""

from alembic import op

from shared.events.outbox import outbox_ordering_ddl

revision = "members_0003_event_failures"
down_revision = "members_0002_members"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in outbox_ordering_ddl("members"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE members.dead_letter")
    op.execute("DROP TABLE members.aggregate_version")
    op.execute("ALTER TABLE members.outbox DROP COLUMN aggregate, DROP COLUMN aggregate_version")
