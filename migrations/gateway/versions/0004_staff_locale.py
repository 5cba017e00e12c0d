"""Each person's language (issue 15): Simplified Chinese or English; NULL is the business's
default (ROOMLINE_DEFAULT_LOCALE).

Revision ID: gateway_0004_staff_locale
Revises: gateway_0003_staff_sessions
"""

from alembic import op

revision = "gateway_0004_staff_locale"
down_revision = "gateway_0003_staff_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE gateway.staff_user ADD COLUMN locale varchar(8)"
        " CHECK (locale IN ('zh_CN', 'en'))"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE gateway.staff_user DROP COLUMN locale")
