"""The relay woken without a NOTIFY per commit (issue 19).

Revision ID: gateway_0005_outbox_wake
Revises: gateway_0004_staff_locale
"""

from alembic import op

from shared.events.outbox import outbox_wake_ddl, outbox_wake_undo_ddl

revision = "gateway_0005_outbox_wake"
down_revision = "gateway_0004_staff_locale"
branch_labels = None
depends_on = None

# The relay polls the outbox instead: a NOTIFY per commit serialises every commit.
STATEMENTS: list[str] = outbox_wake_ddl("gateway")

DOWNGRADE: list[str] = outbox_wake_undo_ddl("gateway")


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
