"""Staff administration (issue 14): each person's sessions epoch. Deactivating someone,
changing their roles or resetting their password bumps it, which ends their sessions
(shared.auth).

Revision ID: gateway_0003_staff_sessions
Revises: gateway_0002_event_failures
"""

from alembic import op

revision = "gateway_0003_staff_sessions"
down_revision = "gateway_0002_event_failures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE gateway.staff_user ADD COLUMN sessions_epoch integer NOT NULL DEFAULT 0"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE gateway.staff_user DROP COLUMN sessions_epoch")
