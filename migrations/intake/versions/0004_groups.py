"""Group clients (IN-9): corporate accounts with negotiated terms, group bookings with their
rooming list (room x guest names) and the bookings each room went into.

Revision ID: intake_0004_groups
Revises: intake_0002
"""

from alembic import op

revision = "intake_0004_groups"
down_revision = "intake_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE intake.group_account (
            account_id uuid PRIMARY KEY,
            company_name text NOT NULL,
            contact_name text NOT NULL,
            phone varchar(40) NOT NULL,
            email varchar(200) NOT NULL DEFAULT '',
            terms text NOT NULL DEFAULT '',
            discount_percent numeric(5, 2) NOT NULL DEFAULT 0
                CHECK (discount_percent >= 0 AND discount_percent < 100),
            monthly_settlement boolean NOT NULL DEFAULT false,
            credit_limit_minor bigint CHECK (credit_limit_minor >= 0),
            currency varchar(3) NOT NULL DEFAULT 'CNY',
            active boolean NOT NULL DEFAULT true,
            version_no integer NOT NULL DEFAULT 1,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        )"""
    )
    op.execute(
        "CREATE UNIQUE INDEX group_account_company ON intake.group_account (lower(company_name))"
    )
    op.execute(
        """CREATE TABLE intake.group_booking (
            group_id uuid PRIMARY KEY,
            group_ref varchar(12) NOT NULL UNIQUE,
            account_id uuid NOT NULL REFERENCES intake.group_account (account_id),
            hotel_id uuid NOT NULL,
            hotel_name text NOT NULL,
            check_in date NOT NULL,
            check_out date NOT NULL CHECK (check_out > check_in),
            confirm_channel varchar(10) NOT NULL,
            special_requests text NOT NULL DEFAULT '',
            payment_mode varchar(30) NOT NULL,
            status varchar(12) NOT NULL CHECK (status IN ('draft', 'placed', 'cancelled')),
            total_sell_minor bigint,
            currency varchar(3),
            last_refusal text NOT NULL DEFAULT '',
            created_by varchar(80) NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            placed_by varchar(80),
            placed_at timestamptz
        )"""
    )
    op.execute("CREATE INDEX group_booking_status ON intake.group_booking (status, created_at)")
    op.execute("CREATE INDEX group_booking_account ON intake.group_booking (account_id)")
    op.execute(
        """CREATE TABLE intake.group_room (
            group_id uuid NOT NULL REFERENCES intake.group_booking (group_id) ON DELETE CASCADE,
            room_no integer NOT NULL,
            rate_plan_id uuid NOT NULL,
            rate_plan_name text NOT NULL,
            room_type_id uuid NOT NULL,
            room_type_name text NOT NULL,
            payment_mode varchar(30) NOT NULL,
            guest_names text[] NOT NULL,
            booking_ref varchar(12),
            PRIMARY KEY (group_id, room_no)
        )"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE intake.group_room")
    op.execute("DROP TABLE intake.group_booking")
    op.execute("DROP TABLE intake.group_account")
