"""Which version of each booking contracts' sold nights reflect (HR-11, IN-5).

Intake's booking events may be handled out of order (workers run jobs concurrently and
retry with backoff): a cancellation can arrive before the placement it cancels. Each handler
first claims the booking's row here with its version; a lower version arriving late finds a
higher one and changes nothing, so cancelled or shortened nights never come back.

Revision ID: contracts_0004_sold_booking
Revises: contracts_0003_sales
"""

from alembic import op

revision = "contracts_0004_sold_booking"
down_revision = "contracts_0003_sales"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE contracts.sold_booking (
            booking_id uuid PRIMARY KEY,
            booking_version integer NOT NULL,
            cancelled boolean NOT NULL DEFAULT false,
            updated_at timestamptz NOT NULL DEFAULT now()
        )"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE contracts.sold_booking")
