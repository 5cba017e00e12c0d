"""Dead letters and ordered events (issue 12): the outbox carries each event's aggregate and
its version, a per-aggregate counter numbers them, and handlers that keep failing leave
their event in ``dead_letter`` for an operator to redrive or discard.

Also merges the service's heads into one line: every later revision builds on this one.

Revision ID: contracts_0005_event_failures
Revises: every head of the service before it (see down_revision)
"""

from alembic import op

from shared.events.outbox import outbox_ordering_ddl

revision = "contracts_0005_event_failures"
down_revision = (
    "contracts_0003_channel_managers",
    "contracts_0003_competitors",
    "contracts_0003_complaints",
    "contracts_0003_conditions",
    "contracts_0003_free_rooms",
    "contracts_0003_geo",
    "contracts_0003_hotel_file",
    "contracts_0003_import_jobs",
    "contracts_0003_photos",
    "contracts_0003_recommendations",
    "contracts_0003_restrictions",
    "contracts_0003_seasons",
    "contracts_0004_edit_versions",
    "contracts_0004_sold_booking",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in outbox_ordering_ddl("contracts"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE contracts.dead_letter")
    op.execute("DROP TABLE contracts.aggregate_version")
    op.execute("ALTER TABLE contracts.outbox DROP COLUMN aggregate, DROP COLUMN aggregate_version")
