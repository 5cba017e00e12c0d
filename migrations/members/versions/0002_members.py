"""Members: card, name, phones, level, and the open-major-complaint flag (CS-1, IN-8).

Revision ID: members_0002_members
Revises: members_0001
"""

from alembic import op

revision = "members_0002_members"
down_revision = "members_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE members.member (
            member_id uuid PRIMARY KEY,
            card_no varchar(40) NOT NULL UNIQUE,
            name text NOT NULL,
            phones text[] NOT NULL DEFAULT '{}',
            phone_keys text[] NOT NULL DEFAULT '{}',
            level varchar(20) NOT NULL,
            complaint_open boolean NOT NULL DEFAULT false,
            complaint_note text NOT NULL DEFAULT '',
            complaint_on date,
            version_no integer NOT NULL DEFAULT 1,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    op.execute("CREATE INDEX member_name ON members.member (lower(name))")
    op.execute("CREATE INDEX member_phone_keys ON members.member USING gin (phone_keys)")


def downgrade() -> None:
    op.execute("DROP TABLE members.member")
