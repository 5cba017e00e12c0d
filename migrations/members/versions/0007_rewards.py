"""Rewards catalogue and redemptions (issue 18, CS-2).

Mirrors ``services/members/rewards/models.py``.

Revision ID: members_0007_rewards
Revises: members_0006_points_stays
"""

from alembic import op

revision = "members_0007_rewards"
down_revision = "members_0006_points_stays"
branch_labels = None
depends_on = None

STATEMENTS: list[str] = [
    """CREATE TABLE members.reward (
        reward_id uuid PRIMARY KEY,
        code varchar(20) NOT NULL UNIQUE,
        name_zh varchar(60) NOT NULL,
        name_en varchar(100) NOT NULL,
        points integer NOT NULL,
        active boolean NOT NULL,
        updated_by varchar(120) NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT reward_points_positive CHECK (points > 0)
    )""",
    # A starting catalogue (CS-2); customer service edits it on /members/rewards.
    """INSERT INTO members.reward
        (reward_id, code, name_zh, name_en, points, active, updated_by, updated_at) VALUES
        (gen_random_uuid(), 'MOVIE-2', '电影票两张', 'Two cinema tickets', 1000, true,
         'migration', now()),
        (gen_random_uuid(), 'GIFT-200', '购物卡 ¥200', 'Shopping card ¥200', 4000, true,
         'migration', now()),
        (gen_random_uuid(), 'NIGHT-1', '免费房晚一晚', 'One free room night', 8000, true,
         'migration', now()),
        (gen_random_uuid(), 'LUGGAGE', '行李箱', 'Suitcase', 12000, true, 'migration', now()),
        (gen_random_uuid(), 'NIGHT-2', '免费房晚两晚', 'Two free room nights', 15000, true,
         'migration', now())""",
    """CREATE TABLE members.redemption (
        redemption_id uuid PRIMARY KEY,
        redemption_no bigint GENERATED ALWAYS AS IDENTITY NOT NULL UNIQUE,
        member_id uuid NOT NULL REFERENCES members.member (member_id),
        reward_id uuid NOT NULL REFERENCES members.reward (reward_id),
        quantity integer NOT NULL,
        points integer NOT NULL,
        delivery varchar(10) NOT NULL,
        office varchar(60) NOT NULL,
        address varchar(300) NOT NULL,
        exception_requested boolean NOT NULL,
        exception_reason varchar(300) NOT NULL,
        status varchar(10) NOT NULL,
        batch_quarter varchar(6),
        made_by varchar(120) NOT NULL,
        made_at timestamptz NOT NULL,
        decided_by varchar(120),
        decided_at timestamptz,
        decision_note varchar(300) NOT NULL,
        purchased_by varchar(120),
        purchased_at timestamptz,
        delivered_by varchar(120),
        delivered_at timestamptz,
        version integer NOT NULL,
        CONSTRAINT redemption_quantity_range CHECK (quantity BETWEEN 1 AND 10),
        CONSTRAINT redemption_points_positive CHECK (points > 0),
        CONSTRAINT redemption_delivery_known CHECK (delivery IN ('post', 'pickup')),
        CONSTRAINT redemption_status_known CHECK (status IN
            ('submitted', 'approved', 'rejected', 'withdrawn', 'purchased', 'delivered'))
    )""",
    "CREATE INDEX redemption_status ON members.redemption (status, made_at)",
    "CREATE INDEX redemption_member ON members.redemption (member_id, made_at)",
    "CREATE INDEX redemption_batch ON members.redemption (batch_quarter, status)",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE members.redemption")
    op.execute("DROP TABLE members.reward")
