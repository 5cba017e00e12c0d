"""Create the intake schema with its outbox, inbox and audit log.

Revision ID: intake_0001
Revises:
"""

from alembic import op

from shared.audit import audit_ddl
from shared.events.outbox import outbox_ddl

revision = "intake_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA intake")
    for statement in [*outbox_ddl("intake"), *audit_ddl("intake")]:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP SCHEMA intake CASCADE")
