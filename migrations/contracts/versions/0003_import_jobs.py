"""Rate and allotment sheet imports run as background jobs with progress (HR-2, HR-4, HR-14).

Revision ID: contracts_0003_import_jobs
Revises: contracts_0002
"""

from alembic import op

revision = "contracts_0003_import_jobs"
down_revision = "contracts_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The uploaded file is kept in the row: the web process and the worker may run on
    # different machines, and the sheet stays on file with who imported it and the outcome.
    op.execute(
        """CREATE TABLE contracts.import_job (
            job_id uuid PRIMARY KEY,
            filename varchar(255) NOT NULL,
            content bytea NOT NULL,
            state varchar(10) NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'checking', 'applying', 'done', 'refused', 'failed')),
            rows_total integer NOT NULL DEFAULT 0 CHECK (rows_total >= 0),
            rows_processed integer NOT NULL DEFAULT 0 CHECK (rows_processed >= 0),
            rows_applied integer NOT NULL DEFAULT 0 CHECK (rows_applied >= 0),
            applied integer,
            report jsonb NOT NULL DEFAULT '[]',
            error text NOT NULL DEFAULT '',
            created_by varchar(80) NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            started_at timestamptz,
            finished_at timestamptz,
            updated_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    # The worker's sweep looks for jobs that never started or stopped moving.
    op.execute(
        "CREATE INDEX import_job_unfinished ON contracts.import_job (updated_at) "
        "WHERE state IN ('queued', 'checking', 'applying')"
    )
    op.execute("CREATE INDEX import_job_recent ON contracts.import_job (created_at DESC)")


def downgrade() -> None:
    op.execute("DROP TABLE contracts.import_job")
