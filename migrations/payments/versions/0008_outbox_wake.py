"""The relay woken without a NOTIFY per commit (issue 19).

Revision ID: payments_0008_outbox_wake
Revises: payments_0007_bank
"""

from alembic import op

from shared.events.outbox import outbox_wake_ddl, outbox_wake_undo_ddl

revision = "payments_0008_outbox_wake"
down_revision = "payments_0007_bank"
branch_labels = None
depends_on = None

# The relay polls the outbox instead: a NOTIFY per commit serialises every commit.
STATEMENTS: list[str] = outbox_wake_ddl("payments")

DOWNGRADE: list[str] = outbox_wake_undo_ddl("payments")


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
