"""Channel-manager credentials: machine logins for the OTA endpoints (HR-2), created and revoked
by a resources director. Only an argon2 hash of the secret is kept.

Revision ID: contracts_0003_channel_managers
Revises: contracts_0002
"""

from alembic import op

revision = "contracts_0003_channel_managers"
down_revision = "contracts_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE contracts.channel_manager (
            channel_manager_id uuid PRIMARY KEY,
            name varchar(40) NOT NULL,
            secret_hash text NOT NULL,
            all_hotels boolean NOT NULL,
            hotel_ids uuid[] NOT NULL DEFAULT '{}',
            created_by varchar(80) NOT NULL,
            created_at timestamptz NOT NULL,
            revoked_by varchar(80),
            revoked_at timestamptz,
            CHECK (all_hotels OR cardinality(hotel_ids) > 0)
        )"""
    )
    # The name is the HTTP Basic user name, so it must be unique among live credentials; a
    # revoked one keeps its row (the audit trail names it) and frees the name.
    op.execute(
        "CREATE UNIQUE INDEX channel_manager_live_name ON contracts.channel_manager "
        "(lower(name)) WHERE revoked_at IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP TABLE contracts.channel_manager")
