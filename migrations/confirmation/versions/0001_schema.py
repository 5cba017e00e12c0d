"""Create the confirmation schema with its outbox, inbox and audit log.

Revision ID: confirmation_0001
Revises:
"""

from alembic import op

from shared.audit import audit_ddl
from shared.events.outbox import outbox_ddl

revision = "confirmation_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA confirmation")
    for statement in [*outbox_ddl("confirmation"), *audit_ddl("confirmation")]:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP SCHEMA confirmation CASCADE")
