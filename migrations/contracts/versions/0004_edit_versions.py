"""Version numbers that make concurrent edits collide instead of overwrite: the hotel's grid
of prices, allotments and restrictions (HR-2), and a drafted contract's terms (HR-3).

Revision ID: contracts_0004_edit_versions
Revises: contracts_0003_agreements
"""

from alembic import op

revision = "contracts_0004_edit_versions"
down_revision = "contracts_0003_agreements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE contracts.hotel "
        "ADD COLUMN grid_version integer NOT NULL DEFAULT 0, "
        "ADD COLUMN grid_changed_by text NOT NULL DEFAULT '', "
        "ADD COLUMN grid_changed_at timestamptz"
    )
    op.execute(
        "ALTER TABLE contracts.contract_version ADD COLUMN revision integer NOT NULL DEFAULT 1"
    )
    # A drafted or submitted version may be withdrawn; it stays on file.
    op.execute(
        "ALTER TABLE contracts.contract_version DROP CONSTRAINT contract_version_state_check, "
        "ADD CONSTRAINT contract_version_state_check "
        "CHECK (state IN ('drafted', 'submitted', 'approved', 'rejected', 'withdrawn'))"
    )


def downgrade() -> None:
    op.execute(
        "ALTER TABLE contracts.contract_version DROP CONSTRAINT contract_version_state_check, "
        "ADD CONSTRAINT contract_version_state_check "
        "CHECK (state IN ('drafted', 'submitted', 'approved', 'rejected'))"
    )
    op.execute("ALTER TABLE contracts.contract_version DROP COLUMN revision")
    op.execute(
        "ALTER TABLE contracts.hotel DROP COLUMN grid_version, DROP COLUMN grid_changed_by, "
        "DROP COLUMN grid_changed_at"
    )
