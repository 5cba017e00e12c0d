"""The relay woken without a NOTIFY per commit (issue 19).

Revision ID: contracts_0007_outbox_wake
Revises: contracts_0006_import_copy
"""

from alembic import op

from shared.events.outbox import outbox_wake_ddl, outbox_wake_undo_ddl

revision = "contracts_0007_outbox_wake"
down_revision = "contracts_0006_import_copy"
branch_labels = None
depends_on = None

# The relay polls the outbox instead: a NOTIFY per commit serialises every commit.
STATEMENTS: list[str] = outbox_wake_ddl("contracts")

DOWNGRADE: list[str] = outbox_wake_undo_ddl("contracts")


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
