"""Points rules per level and the stays that earned (issue 18, CS-5).

Revision ID: members_0006_points_stays
Revises: members_0005_points
"""

from alembic import op

revision = "members_0006_points_stays"
down_revision = "members_0005_points"
branch_labels = None
depends_on = None

# CS-5's starting rules (customer service edits them on /points/rules): points per whole unit
# of room revenue, about the same value per yuan in every currency (US$1 ≈ ¥7, €1 ≈ ¥7.5,
# HK$1 ≈ ¥0.9), and per night stayed, the same in every currency.
LEVELS = {"standard": 10, "silver": 15, "gold": 20, "platinum": 30}  # points per night
PER_UNIT = {
    "CNY": ("0.10", "0.12", "0.15", "0.20"),
    "HKD": ("0.09", "0.11", "0.14", "0.18"),
    "USD": ("0.70", "0.84", "1.05", "1.40"),
    "EUR": ("0.75", "0.90", "1.13", "1.50"),
}
SEED = ",\n        ".join(
    f"('{level}', '{currency}', {rates[i]}, {per_night}, 'system', now())"
    for currency, rates in PER_UNIT.items()
    for i, (level, per_night) in enumerate(LEVELS.items())
)

STATEMENTS: list[str] = [
    """CREATE TABLE members.points_rule (
        level varchar(20) NOT NULL,
        currency varchar(3) NOT NULL,
        points_per_unit numeric(8, 2) NOT NULL,
        points_per_night integer NOT NULL,
        updated_by varchar(120) NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (level, currency),
        CONSTRAINT points_rule_per_unit_not_negative CHECK (points_per_unit >= 0),
        CONSTRAINT points_rule_per_night_not_negative CHECK (points_per_night >= 0),
        CONSTRAINT points_rule_currency_code CHECK (currency ~ '^[A-Z]{3}$')
    )""",
    f"""INSERT INTO members.points_rule
        (level, currency, points_per_unit, points_per_night, updated_by, updated_at)
        VALUES
        {SEED}""",
    """CREATE TABLE members.points_stay (
        booking_id uuid PRIMARY KEY,
        booking_ref varchar(40) NOT NULL,
        member_id uuid REFERENCES members.member (member_id),
        outcome_version integer NOT NULL,
        outcome varchar(10) NOT NULL,
        source varchar(120),
        points integer NOT NULL,
        refunded_at timestamptz,
        updated_at timestamptz NOT NULL,
        CONSTRAINT points_stay_outcome_known CHECK (outcome IN ('none', 'stayed', 'no_show')),
        CONSTRAINT points_stay_points_not_negative CHECK (points >= 0)
    )""",
    "CREATE INDEX points_stay_member ON members.points_stay (member_id)",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE members.points_stay")
    op.execute("DROP TABLE members.points_rule")
