"""Hotels, room types, rate plans, and per-night allotments and prices.

Revision ID: contracts_0002
Revises: contracts_0001
"""

from alembic import op

revision = "contracts_0002"
down_revision = "contracts_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE contracts.hotel (
            hotel_id uuid PRIMARY KEY,
            name_zh varchar(200) NOT NULL,
            name_en varchar(200) NOT NULL,
            city varchar(80) NOT NULL,
            district varchar(80) NOT NULL DEFAULT '',
            address varchar(300) NOT NULL DEFAULT '',
            star_grade smallint NOT NULL CHECK (star_grade BETWEEN 1 AND 5),
            currency char(3) NOT NULL,
            confirm_channel varchar(10) NOT NULL CHECK (confirm_channel IN ('fax', 'email')),
            fax varchar(40) NOT NULL DEFAULT '',
            email varchar(200) NOT NULL DEFAULT '',
            phone varchar(40) NOT NULL DEFAULT '',
            status varchar(12) NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'suspended')),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    op.execute("CREATE INDEX hotel_city ON contracts.hotel (lower(city))")
    op.execute(
        """CREATE TABLE contracts.room_type (
            room_type_id uuid PRIMARY KEY,
            hotel_id uuid NOT NULL REFERENCES contracts.hotel,
            name varchar(120) NOT NULL,
            UNIQUE (hotel_id, name)
        )"""
    )
    op.execute(
        """CREATE TABLE contracts.rate_plan (
            rate_plan_id uuid PRIMARY KEY,
            hotel_id uuid NOT NULL REFERENCES contracts.hotel,
            room_type_id uuid NOT NULL REFERENCES contracts.room_type,
            name varchar(120) NOT NULL,
            payment_mode varchar(20) NOT NULL
                CHECK (payment_mode IN ('pay_at_hotel', 'prepaid', 'corporate_monthly')),
            UNIQUE (room_type_id, name)
        )"""
    )
    op.execute(
        """CREATE TABLE contracts.night_allotment (
            room_type_id uuid NOT NULL REFERENCES contracts.room_type,
            night date NOT NULL,
            rooms integer NOT NULL CHECK (rooms >= 0),
            PRIMARY KEY (room_type_id, night)
        )"""
    )
    op.execute(
        """CREATE TABLE contracts.night_rate (
            rate_plan_id uuid NOT NULL REFERENCES contracts.rate_plan,
            night date NOT NULL,
            net_minor bigint NOT NULL CHECK (net_minor >= 0),
            sell_minor bigint NOT NULL,
            currency char(3) NOT NULL,
            PRIMARY KEY (rate_plan_id, night),
            CHECK (sell_minor >= net_minor)
        )"""
    )


def downgrade() -> None:
    for table in ("night_rate", "night_allotment", "rate_plan", "room_type", "hotel"):
        op.execute(f"DROP TABLE contracts.{table}")
