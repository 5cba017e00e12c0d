"""The thank-you to a guest whose no-show was corrected to stayed (issue 16, NS-3).

It is sent like the customer's confirmation, as an ``order_dispatch`` row, with its own
audience ``thanks`` (it closes no customer notice). Its id is derived from the booking and
the outcome version, so one outcome queues one thank-you.

Revision ID: confirmation_0009_thank_you
Revises: confirmation_0008_nothing_sent
"""

from alembic import op

revision = "confirmation_0009_thank_you"
down_revision = "confirmation_0008_nothing_sent"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """ALTER TABLE confirmation.order_dispatch
            DROP CONSTRAINT order_dispatch_audience_check,
            ADD CONSTRAINT order_dispatch_audience_check
                CHECK (audience IN ('hotel', 'customer', 'thanks'))"""
    )


def downgrade() -> None:
    op.execute("DELETE FROM confirmation.order_dispatch WHERE audience = 'thanks'")
    op.execute(
        """ALTER TABLE confirmation.order_dispatch
            DROP CONSTRAINT order_dispatch_audience_check,
            ADD CONSTRAINT order_dispatch_audience_check
                CHECK (audience IN ('hotel', 'customer'))"""
    )
