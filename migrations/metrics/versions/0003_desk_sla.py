"""The desks' service levels as the metrics service projects them from events (SL-2, SL-3,
SL-6).

- ``desk_task``: one row per confirmation task (``confirmation.task_opened``, ``order_sent``,
  ``booking_confirmed``, ``full_house``, ``receipt_checked``). Workers handle events
  concurrently, so any of them may arrive first: every column but the key is nullable and
  each event fills only its own columns.
- ``booking_handle``: one row per placed booking (``intake.booking_placed``) with the
  seconds the agent took (SL-2).

Revision ID: metrics_0003_desk_sla
Revises: metrics_0002_call_log
"""

from alembic import op

revision = "metrics_0003_desk_sla"
down_revision = "metrics_0002_call_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE metrics.desk_task (
            task_id uuid PRIMARY KEY,
            booking_ref varchar(40),
            kind varchar(20),
            hotel_name varchar(400),
            deadline_at timestamptz,
            opened_at timestamptz,
            sent_at timestamptz,
            answered_at timestamptz,
            answer varchar(20),
            receipt_due_at timestamptz,
            receipt_checked_at timestamptz,
            receipt_checked_by varchar(120),
            updated_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    op.execute(
        "CREATE INDEX desk_task_unanswered ON metrics.desk_task (deadline_at) "
        "WHERE answered_at IS NULL"
    )
    op.execute(
        "CREATE INDEX desk_task_receipt ON metrics.desk_task (receipt_due_at) "
        "WHERE receipt_checked_at IS NULL"
    )
    op.execute(
        """CREATE TABLE metrics.booking_handle (
            booking_id uuid PRIMARY KEY,
            booking_ref varchar(40) NOT NULL,
            agent_username varchar(120) NOT NULL,
            placed_at timestamptz NOT NULL,
            handle_seconds integer
        )"""
    )
    op.execute("CREATE INDEX booking_handle_placed ON metrics.booking_handle (placed_at)")


def downgrade() -> None:
    for table in ("booking_handle", "desk_task"):
        op.execute(f"DROP TABLE metrics.{table}")
