"""The relay woken without a NOTIFY per commit (issue 19).

Revision ID: members_0010_outbox_wake
Revises: members_0009_cards
"""

from alembic import op

from shared.events.outbox import outbox_wake_ddl, outbox_wake_undo_ddl

revision = "members_0010_outbox_wake"
down_revision = "members_0009_cards"
branch_labels = None
depends_on = None

# The relay polls the outbox instead: a NOTIFY per commit serialises every commit.
STATEMENTS: list[str] = outbox_wake_ddl("members")

DOWNGRADE: list[str] = outbox_wake_undo_ddl("members")


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
