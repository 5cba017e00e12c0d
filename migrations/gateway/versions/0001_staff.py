"""Create the gateway schema: staff users, outbox, inbox, audit log.

Revision ID: gateway_0001
Revises:
"""

from alembic import op

from shared.audit import audit_ddl
from shared.events.outbox import outbox_ddl

revision = "gateway_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA gateway")
    op.execute(
        """CREATE TABLE gateway.staff_user (
            user_id bigserial PRIMARY KEY,
            username varchar(80) NOT NULL UNIQUE,
            display_name varchar(120) NOT NULL,
            password_hash varchar(255) NOT NULL,
            roles varchar(40)[] NOT NULL,
            active boolean NOT NULL DEFAULT true,
            created_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    for statement in [*outbox_ddl("gateway"), *audit_ddl("gateway")]:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP SCHEMA gateway CASCADE")
