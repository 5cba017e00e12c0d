"""Dead letters and ordered events (issue 12): the outbox carries each event's aggregate and
its version, a per-aggregate counter numbers them, and handlers that keep failing leave
their event in ``dead_letter`` for an operator to redrive or discard.

Also merges the service's heads into one line: every later revision builds on this one.

Revision ID: intake_0006_event_failures
Revises: every head of the service before it (see down_revision)
"""

from alembic import op

from shared.events.outbox import outbox_ordering_ddl

revision = "intake_0006_event_failures"
down_revision = (
    "intake_0003",
    "intake_0003_conditions",
    "intake_0003_contracts",
    "intake_0003_recommended",
    "intake_0004_booking_desk",
    "intake_0004_callers",
    "intake_0004_groups",
    "intake_0004_handover",
    "intake_0004_memos",
    "intake_0004_search",
    "intake_0005_hotel_answers",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in outbox_ordering_ddl("intake"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE intake.dead_letter")
    op.execute("DROP TABLE intake.aggregate_version")
    op.execute("ALTER TABLE intake.outbox DROP COLUMN aggregate, DROP COLUMN aggregate_version")
