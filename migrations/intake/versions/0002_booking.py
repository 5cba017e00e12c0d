"""The sellable-inventory projection and the booking tables of the intake service.

Projection tables (hotel, room_type, rate_plan, inventory_night, rate_night) are written only
by the handlers of contracts.* events; they carry the event's occurred-at so an older event
delivered late cannot overwrite a newer one. No foreign key points from inventory or prices to
the hotel tables: events may arrive in any order.

Revision ID: intake_0002
Revises: intake_0001
"""

from alembic import op

revision = "intake_0002"
down_revision = "intake_0001"
branch_labels = None
depends_on = None

PROJECTION = [
    """CREATE TABLE intake.hotel (
        hotel_id uuid PRIMARY KEY,
        name_zh text NOT NULL,
        name_en text NOT NULL,
        city text NOT NULL,
        district text NOT NULL DEFAULT '',
        star_grade smallint NOT NULL,
        currency char(3) NOT NULL,
        confirm_channel varchar(20) NOT NULL,
        sellable boolean NOT NULL DEFAULT true,
        occurred_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
    )""",
    "CREATE INDEX hotel_city ON intake.hotel (lower(city))",
    """CREATE TABLE intake.room_type (
        room_type_id uuid PRIMARY KEY,
        hotel_id uuid NOT NULL REFERENCES intake.hotel (hotel_id),
        name text NOT NULL,
        active boolean NOT NULL DEFAULT true
    )""",
    "CREATE INDEX room_type_hotel ON intake.room_type (hotel_id)",
    """CREATE TABLE intake.rate_plan (
        rate_plan_id uuid PRIMARY KEY,
        hotel_id uuid NOT NULL REFERENCES intake.hotel (hotel_id),
        room_type_id uuid NOT NULL,
        name text NOT NULL,
        payment_mode varchar(30) NOT NULL,
        active boolean NOT NULL DEFAULT true
    )""",
    "CREATE INDEX rate_plan_hotel ON intake.rate_plan (hotel_id)",
    # IN-4 / ARCHITECTURE: remaining is derived, never written; the CHECK is the last line of
    # defence against overbooking should any code path skip the guarded UPDATE.
    """CREATE TABLE intake.inventory_night (
        room_type_id uuid NOT NULL,
        night date NOT NULL,
        hotel_id uuid NOT NULL,
        allotment integer NOT NULL,
        sold integer NOT NULL DEFAULT 0,
        remaining integer GENERATED ALWAYS AS (allotment - sold) STORED,
        occurred_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (room_type_id, night),
        CONSTRAINT inventory_night_sold_within_allotment CHECK (sold >= 0 AND sold <= allotment)
    )""",
    """CREATE TABLE intake.rate_night (
        rate_plan_id uuid NOT NULL,
        night date NOT NULL,
        room_type_id uuid NOT NULL,
        hotel_id uuid NOT NULL,
        net_minor bigint NOT NULL,
        sell_minor bigint NOT NULL,
        currency char(3) NOT NULL,
        occurred_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (rate_plan_id, night),
        CONSTRAINT rate_night_prices_not_negative CHECK (net_minor >= 0 AND sell_minor >= 0)
    )""",
]

BOOKING = [
    """CREATE TABLE intake.booking (
        booking_id uuid PRIMARY KEY,
        booking_ref varchar(12) NOT NULL UNIQUE,
        hotel_id uuid NOT NULL,
        hotel_name text NOT NULL,
        room_type_id uuid NOT NULL,
        room_type_name text NOT NULL,
        rate_plan_id uuid NOT NULL,
        rate_plan_name text NOT NULL,
        check_in date NOT NULL,
        check_out date NOT NULL,
        rooms smallint NOT NULL,
        guest_names text[] NOT NULL,
        booker_name text NOT NULL,
        booker_phone varchar(40) NOT NULL,
        booker_company text NOT NULL DEFAULT '',
        member_card varchar(40) NOT NULL DEFAULT '',
        payment_mode varchar(30) NOT NULL,
        confirm_channel varchar(10) NOT NULL,
        special_requests text NOT NULL DEFAULT '',
        arrival_time varchar(40) NOT NULL DEFAULT '',
        urgent boolean NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'placed',
        idempotency_key varchar(100) NOT NULL UNIQUE,
        handling_started_at timestamptz,
        committed_at timestamptz NOT NULL,
        agent_username varchar(80) NOT NULL,
        total_sell_minor bigint NOT NULL,
        currency char(3) NOT NULL,
        CONSTRAINT booking_stay_forward CHECK (check_out > check_in),
        CONSTRAINT booking_rooms_range CHECK (rooms BETWEEN 1 AND 9),
        CONSTRAINT booking_confirm_channel
            CHECK (confirm_channel IN ('fax', 'phone', 'sms', 'email'))
    )""",
    # IN-12: a manager's view of one agent's bookings by time.
    "CREATE INDEX booking_agent_committed ON intake.booking (agent_username, committed_at)",
    """CREATE TABLE intake.booking_night (
        booking_id uuid NOT NULL REFERENCES intake.booking (booking_id) ON DELETE CASCADE,
        night date NOT NULL,
        net_minor bigint NOT NULL,
        sell_minor bigint NOT NULL,
        PRIMARY KEY (booking_id, night)
    )""",
]


def upgrade() -> None:
    for statement in [*PROJECTION, *BOOKING]:
        op.execute(statement)


def downgrade() -> None:
    for table in (
        "booking_night",
        "booking",
        "rate_night",
        "inventory_night",
        "rate_plan",
        "room_type",
        "hotel",
    ):
        op.execute(f"DROP TABLE intake.{table}")
