"""Inbound mail guards (issue 14): why a mail waits in the unmatched tray, and one row per
Message-ID.

``hotel_reply.unmatched_reason`` says why a mail was not filed on arrival (several bookings
named, a sender not on file for the hotel, no booking we know); "" for a matched one and for
rows from before. A unique index on ``message_id`` (where there is one) keeps a second
delivery of the same mail out. Copies already stored twice keep their rows (the desk may have
filed them); all but the first received lose their ``message_id`` so the index can be built
(the Message-ID is still in their raw mail).

Revision ID: confirmation_0007_reply_guards
Revises: confirmation_0006_source_version
"""

from alembic import op

revision = "confirmation_0007_reply_guards"
down_revision = "confirmation_0006_source_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A constant default: PostgreSQL adds the column without rewriting the table.
    op.execute(
        "ALTER TABLE confirmation.hotel_reply ADD COLUMN unmatched_reason text NOT NULL DEFAULT ''"
    )
    op.execute(
        """UPDATE confirmation.hotel_reply SET message_id = NULL
        WHERE reply_id IN (
            SELECT reply_id FROM (
                SELECT reply_id, row_number() OVER (
                    PARTITION BY message_id ORDER BY received_at, reply_id
                ) AS copy
                FROM confirmation.hotel_reply
                WHERE message_id IS NOT NULL
            ) AS copies
            WHERE copy > 1
        )"""
    )
    op.execute(
        "CREATE UNIQUE INDEX hotel_reply_message_id ON confirmation.hotel_reply (message_id)"
        " WHERE message_id IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX confirmation.hotel_reply_message_id")
    op.execute("ALTER TABLE confirmation.hotel_reply DROP COLUMN unmatched_reason")
