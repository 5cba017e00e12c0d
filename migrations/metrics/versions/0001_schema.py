"""Create the metrics schema with its outbox, inbox and audit log.

Revision ID: metrics_0001
Revises:
"""

from alembic import op

from shared.audit import audit_ddl
from shared.events.outbox import outbox_ddl

revision = "metrics_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA metrics")
    for statement in [*outbox_ddl("metrics"), *audit_ddl("metrics")]:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP SCHEMA metrics CASCADE")
