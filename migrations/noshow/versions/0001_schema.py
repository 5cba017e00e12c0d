"""Create the noshow schema with its outbox, inbox and audit log.

Revision ID: noshow_0001
Revises:
"""

from alembic import op

from shared.audit import audit_ddl
from shared.events.outbox import outbox_ddl

revision = "noshow_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA noshow")
    for statement in [*outbox_ddl("noshow"), *audit_ddl("noshow")]:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP SCHEMA noshow CASCADE")
