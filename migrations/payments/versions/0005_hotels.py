"""Payments' hotels tables (issue 17): what each booking's stay outcome posted (PAY-4, NS-3)
and the chases of hotels for what they owe (PAY-3). Mirrors ``services/payments/hotels/models.py``.

Revision ID: payments_0005_hotels
Revises: payments_0004_slips
"""

from alembic import op

revision = "payments_0005_hotels"
down_revision = "payments_0004_slips"
branch_labels = None
depends_on = None

STATEMENTS = [
    """CREATE TABLE payments.stay_posting (
        booking_id uuid PRIMARY KEY,
        hotel_id uuid NOT NULL,
        outcome_version integer NOT NULL,
        outcome varchar(30) NOT NULL,
        transaction_ids uuid[] NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
    )""",
    "CREATE INDEX ix_payments_stay_posting_hotel_id ON payments.stay_posting (hotel_id)",
    """CREATE TABLE payments.hotel_chase (
        chase_id uuid PRIMARY KEY,
        hotel_id uuid NOT NULL,
        chased_on date NOT NULL,
        chased_by varchar(120) NOT NULL,
        channel varchar(10) NOT NULL,
        note varchar(2000) NOT NULL,
        promised_on date,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT hotel_chase_channel CHECK (channel IN ('phone', 'fax', 'email'))
    )""",
    "CREATE INDEX ix_payments_hotel_chase_hotel_id ON payments.hotel_chase (hotel_id)",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE payments.hotel_chase")
    op.execute("DROP TABLE payments.stay_posting")
