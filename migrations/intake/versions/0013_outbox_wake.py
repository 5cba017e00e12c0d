"""The relay woken without a NOTIFY per commit (issue 19).

Revision ID: intake_0013_outbox_wake
Revises: intake_0012_booking_write
"""

from alembic import op

from shared.events.outbox import outbox_wake_ddl, outbox_wake_undo_ddl

revision = "intake_0013_outbox_wake"
down_revision = "intake_0012_booking_write"
branch_labels = None
depends_on = None

# The relay polls the outbox instead: a NOTIFY per commit serialises every commit.
STATEMENTS: list[str] = outbox_wake_ddl("intake")

DOWNGRADE: list[str] = outbox_wake_undo_ddl("intake")


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
