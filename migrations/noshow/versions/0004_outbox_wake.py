"""The relay woken without a NOTIFY per commit (issue 19).

Revision ID: noshow_0004_outbox_wake
Revises: noshow_0003_desk
"""

from alembic import op

from shared.events.outbox import outbox_wake_ddl, outbox_wake_undo_ddl

revision = "noshow_0004_outbox_wake"
down_revision = "noshow_0003_desk"
branch_labels = None
depends_on = None

# The relay polls the outbox instead: a NOTIFY per commit serialises every commit.
STATEMENTS: list[str] = outbox_wake_ddl("noshow")

DOWNGRADE: list[str] = outbox_wake_undo_ddl("noshow")


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
