"""Create the members schema with its outbox, inbox and audit log.

Revision ID: members_0001
Revises:
"""

from alembic import op

from shared.audit import audit_ddl
from shared.events.outbox import outbox_ddl

revision = "members_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA members")
    for statement in [*outbox_ddl("members"), *audit_ddl("members")]:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP SCHEMA members CASCADE")
