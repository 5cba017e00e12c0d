"""The relay woken without a NOTIFY per commit (issue 19).

Revision ID: confirmation_0010_outbox_wake
Revises: confirmation_0009_thank_you
"""

from alembic import op

from shared.events.outbox import outbox_wake_ddl, outbox_wake_undo_ddl

revision = "confirmation_0010_outbox_wake"
down_revision = "confirmation_0009_thank_you"
branch_labels = None
depends_on = None

# The relay polls the outbox instead: a NOTIFY per commit serialises every commit.
STATEMENTS: list[str] = outbox_wake_ddl("confirmation")

DOWNGRADE: list[str] = outbox_wake_undo_ddl("confirmation")


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
