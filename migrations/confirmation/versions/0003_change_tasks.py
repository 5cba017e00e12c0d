"""Tasks for modifications and cancellations (CF-1, IN-5): a booking may be changed many
times, so a task is unique per (booking, kind, booking version) instead of (booking, kind).

``booking_version`` is the booking's version the task sends (1 for the new booking);
``change_summary`` and ``change_reason`` are what the desk reads before sending (CF-8).

Revision ID: confirmation_0003_change_tasks
Revises: confirmation_0002
"""

from alembic import op

revision = "confirmation_0003_change_tasks"
down_revision = "confirmation_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """ALTER TABLE confirmation.confirmation_task
            ADD COLUMN booking_version integer NOT NULL DEFAULT 1,
            ADD COLUMN change_summary text NOT NULL DEFAULT '',
            ADD COLUMN change_reason text NOT NULL DEFAULT '',
            DROP CONSTRAINT confirmation_task_booking_id_kind_key,
            ADD CONSTRAINT confirmation_task_one_per_version
                UNIQUE (booking_id, kind, booking_version)"""
    )


def downgrade() -> None:
    op.execute("""DELETE FROM confirmation.confirmation_task WHERE kind <> 'new'""")
    op.execute(
        """ALTER TABLE confirmation.confirmation_task
            DROP CONSTRAINT confirmation_task_one_per_version,
            ADD CONSTRAINT confirmation_task_booking_id_kind_key UNIQUE (booking_id, kind),
            DROP COLUMN change_reason,
            DROP COLUMN change_summary,
            DROP COLUMN booking_version"""
    )
