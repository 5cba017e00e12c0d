"""The points ledger (issue 18, CS-5): lots and append-only moves between buckets.

Mirrors ``services/members/points/models.py``.

Revision ID: members_0005_points
Revises: members_0004_profile
"""

from alembic import op

revision = "members_0005_points"
down_revision = "members_0004_profile"
branch_labels = None
depends_on = None

STATEMENTS = [
    """CREATE TABLE members.points_lot (
        lot_id uuid PRIMARY KEY,
        member_id uuid NOT NULL REFERENCES members.member (member_id),
        source varchar(120) NOT NULL UNIQUE,
        points integer NOT NULL,
        remaining integer NOT NULL,
        status varchar(10) NOT NULL,
        earned_at timestamptz NOT NULL,
        final_on date NOT NULL,
        expires_on date NOT NULL,
        note text NOT NULL DEFAULT '',
        CONSTRAINT points_lot_points_positive CHECK (points > 0),
        CONSTRAINT points_lot_remaining_range CHECK (remaining >= 0 AND remaining <= points),
        CONSTRAINT points_lot_status_known CHECK (status IN ('pending', 'active', 'reversed'))
    )""",
    "CREATE INDEX points_lot_member ON members.points_lot (member_id, earned_at)",
    """CREATE INDEX points_lot_pending ON members.points_lot (final_on)
        WHERE status = 'pending'""",
    """CREATE INDEX points_lot_expiring ON members.points_lot (expires_on)
        WHERE status = 'active' AND remaining > 0""",
    """CREATE TABLE members.points_move (
        move_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        member_id uuid NOT NULL REFERENCES members.member (member_id),
        lot_id uuid REFERENCES members.points_lot (lot_id),
        redemption_id uuid,
        kind varchar(12) NOT NULL,
        from_bucket varchar(10) NOT NULL,
        to_bucket varchar(10) NOT NULL,
        points integer NOT NULL,
        at timestamptz NOT NULL,
        actor varchar(120) NOT NULL,
        note text NOT NULL DEFAULT '',
        CONSTRAINT points_move_points_positive CHECK (points > 0),
        CONSTRAINT points_move_two_buckets CHECK (from_bucket <> to_bucket)
    )""",
    "CREATE INDEX points_move_member ON members.points_move (member_id, move_id)",
    """CREATE INDEX points_move_redemption ON members.points_move (redemption_id)
        WHERE redemption_id IS NOT NULL""",
    "CREATE INDEX points_move_lot ON members.points_move (lot_id)",
    # The ledger is history: a move is never edited or removed, whoever types the SQL.
    """CREATE FUNCTION members.points_move_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'points moves are append-only (CS-5)';
        END $$""",
    """CREATE TRIGGER points_move_append_only BEFORE UPDATE OR DELETE ON members.points_move
        FOR EACH ROW EXECUTE FUNCTION members.points_move_append_only()""",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE members.points_move")
    op.execute("DROP FUNCTION members.points_move_append_only()")
    op.execute("DROP TABLE members.points_lot")
