"""Create the contracts schema with its outbox, inbox and audit log.

Revision ID: contracts_0001
Revises:
"""

from alembic import op

from shared.audit import audit_ddl
from shared.events.outbox import outbox_ddl

revision = "contracts_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA contracts")
    for statement in [*outbox_ddl("contracts"), *audit_ddl("contracts")]:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP SCHEMA contracts CASCADE")
