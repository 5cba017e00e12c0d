"""Telephony events as the metrics service ingests them (SL-1).

- ``call_line``: one queue_log line (or webhook event) each, parsed; UNIQUE (file_id,
  line_offset) makes re-reading a file after a restart or a rotation count nothing twice.
  ``file_id`` is ``dev:inode`` for a tailed file, ``webhook:<source>`` for posted events
  (then ``line_offset`` is a hash of the sender's event id).
- ``rejected_line``: malformed or unknown lines, kept for inspection, never fatal.
- ``tail_position``: where each tailed file was read up to, updated in the same transaction
  as the lines it covers.

Revision ID: metrics_0002_call_log
Revises: metrics_0001
"""

from alembic import op

revision = "metrics_0002_call_log"
down_revision = "metrics_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE metrics.call_line (
            line_id bigserial PRIMARY KEY,
            source varchar(80) NOT NULL,
            file_id varchar(120) NOT NULL,
            line_offset bigint NOT NULL,
            at timestamptz NOT NULL,
            call_id varchar(80) NOT NULL,
            queue varchar(80) NOT NULL,
            agent varchar(120) NOT NULL,
            event varchar(40) NOT NULL,
            data jsonb NOT NULL,
            ingested_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (file_id, line_offset)
        )"""
    )
    op.execute("CREATE INDEX call_line_at ON metrics.call_line (at)")
    op.execute("CREATE INDEX call_line_call ON metrics.call_line (call_id)")
    op.execute(
        """CREATE TABLE metrics.rejected_line (
            rejected_id bigserial PRIMARY KEY,
            source varchar(80) NOT NULL,
            file_id varchar(120) NOT NULL,
            line_offset bigint NOT NULL,
            line text NOT NULL,
            reason text NOT NULL,
            rejected_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (file_id, line_offset)
        )"""
    )
    op.execute(
        """CREATE TABLE metrics.tail_position (
            source varchar(80) PRIMARY KEY,
            file_id varchar(120) NOT NULL,
            line_offset bigint NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        )"""
    )


def downgrade() -> None:
    for table in ("tail_position", "rejected_line", "call_line"):
        op.execute(f"DROP TABLE metrics.{table}")
