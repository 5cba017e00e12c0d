"""Hotel contracts and supplementary agreements, every version kept, director-approved (HR-3).

Revision ID: contracts_0003_agreements
Revises: contracts_0002
"""

from alembic import op

revision = "contracts_0003_agreements"
down_revision = "contracts_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE contracts.contract (
            contract_id uuid PRIMARY KEY,
            hotel_id uuid NOT NULL REFERENCES contracts.hotel,
            created_by varchar(80) NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    op.execute("CREATE INDEX contract_hotel ON contracts.contract (hotel_id)")
    op.execute(
        """CREATE TABLE contracts.contract_version (
            version_id uuid PRIMARY KEY,
            contract_id uuid NOT NULL REFERENCES contracts.contract,
            version_no integer NOT NULL CHECK (version_no >= 1),
            kind varchar(10) NOT NULL CHECK (kind IN ('contract', 'supplement')),
            terms jsonb NOT NULL,
            state varchar(10) NOT NULL DEFAULT 'drafted'
                CHECK (state IN ('drafted', 'submitted', 'approved', 'rejected')),
            drafted_by varchar(80) NOT NULL,
            drafted_at timestamptz NOT NULL DEFAULT now(),
            submitted_by varchar(80),
            submitted_at timestamptz,
            submitted_margin numeric(7, 4),
            low_margin_reason text,
            decided_by varchar(80),
            decided_at timestamptz,
            decision_note text,
            UNIQUE (contract_id, version_no)
        )"""
    )
    # One version in the works per contract, so versions are approved in number order and
    # "the latest approved" is unambiguous (HR-3).
    op.execute(
        """CREATE UNIQUE INDEX contract_version_one_open ON contracts.contract_version
            (contract_id) WHERE state IN ('drafted', 'submitted')"""
    )
    op.execute(
        "CREATE INDEX contract_version_submitted ON contracts.contract_version (submitted_at)"
        " WHERE state = 'submitted'"
    )


def downgrade() -> None:
    op.execute("DROP TABLE contracts.contract_version")
    op.execute("DROP TABLE contracts.contract")
