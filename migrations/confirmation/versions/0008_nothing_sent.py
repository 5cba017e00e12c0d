"""Tasks closed with nothing to send (issue 15, CF-1, CF-8).

A booking cancelled before any order about it reached the hotel has nothing to tell the
hotel: its unsent tasks, and the cancellation's own task, close in the new state ``closed``
with ``close_reason`` ``nothing_to_send`` instead of waiting in the queue. Rows from before
keep ``close_reason`` "".

Revision ID: confirmation_0008_nothing_sent
Revises: confirmation_0007_reply_guards
"""

from alembic import op

revision = "confirmation_0008_nothing_sent"
down_revision = "confirmation_0007_reply_guards"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """ALTER TABLE confirmation.confirmation_task
            DROP CONSTRAINT confirmation_task_state_check,
            ADD CONSTRAINT confirmation_task_state_check
                CHECK (state IN ('unsent', 'sending', 'sent', 'confirmed', 'full', 'closed')),
            ADD COLUMN close_reason varchar(20) NOT NULL DEFAULT ''"""
    )


def downgrade() -> None:
    op.execute(
        """UPDATE confirmation.confirmation_task SET state = 'unsent', close_reason = ''
            WHERE state = 'closed'"""
    )
    op.execute(
        """ALTER TABLE confirmation.confirmation_task
            DROP CONSTRAINT confirmation_task_state_check,
            ADD CONSTRAINT confirmation_task_state_check
                CHECK (state IN ('unsent', 'sending', 'sent', 'confirmed', 'full')),
            DROP COLUMN close_reason"""
    )
