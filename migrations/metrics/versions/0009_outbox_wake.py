"""The relay woken without a NOTIFY per commit (issue 19).

Revision ID: metrics_0009_outbox_wake
Revises: metrics_0008_call_aggregates
"""

from alembic import op

from shared.events.outbox import outbox_wake_ddl, outbox_wake_undo_ddl

revision = "metrics_0009_outbox_wake"
down_revision = "metrics_0008_call_aggregates"
branch_labels = None
depends_on = None

# The relay polls the outbox instead: a NOTIFY per commit serialises every commit.
STATEMENTS: list[str] = outbox_wake_ddl("metrics")

DOWNGRADE: list[str] = outbox_wake_undo_ddl("metrics")


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
