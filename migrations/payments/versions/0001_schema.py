"""Create the payments schema with its outbox, inbox and audit log.

Revision ID: payments_0001
Revises:
"""

from alembic import op

from shared.audit import audit_ddl
from shared.events.outbox import outbox_ddl

revision = "payments_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA payments")
    for statement in [*outbox_ddl("payments"), *audit_ddl("payments")]:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP SCHEMA payments CASCADE")
