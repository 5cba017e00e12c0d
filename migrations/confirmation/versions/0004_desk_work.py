"""The desk's work on a task (CF-1 … CF-8): claiming, sending, receipt checks, hotel replies,
full house, online verification and the customer's confirmation.

- ``confirmation_task`` keeps the whole booking as announced (``snapshot``) for its order sheet,
  what a change altered (``change_before``/``change_after``, CF-8), who holds it (one desk user
  at a time), the send's outcome, the fax receipt check (CF-7), the hotel's answer (CF-4/CF-3)
  and, for online bookings, the verification call (CF-5). State ``sending`` is a send queued
  as a job: still unsent for the SL-3 count, and not sendable twice.
- ``order_dispatch``: every order sheet and customer confirmation sent, or tried, with the
  document itself, the address and the outcome (CF-4: kept by date).
- ``hotel_reply`` / ``reply_attachment``: mail received by our SMTP server, matched to its
  task or left unmatched for the desk (CF-4).
- ``customer_notice``: the customer's confirmation (CF-6), with its own deadline.
- ``hotel_terms``: the payment arrangement of the hotel's signed contract, which decides the
  prices an order sheet shows.

Revision ID: confirmation_0004_desk_work
Revises: confirmation_0003_change_tasks
"""

from alembic import op

revision = "confirmation_0004_desk_work"
down_revision = "confirmation_0003_change_tasks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """ALTER TABLE confirmation.confirmation_task
            DROP CONSTRAINT confirmation_task_state_check,
            ADD CONSTRAINT confirmation_task_state_check
                CHECK (state IN ('unsent', 'sending', 'sent', 'confirmed', 'full')),
            ADD COLUMN snapshot jsonb NOT NULL DEFAULT '{}'::jsonb,
            ADD COLUMN change_before jsonb NOT NULL DEFAULT '{}'::jsonb,
            ADD COLUMN change_after jsonb NOT NULL DEFAULT '{}'::jsonb,
            ADD COLUMN room_type_id uuid,
            ADD COLUMN reply_at_once boolean NOT NULL DEFAULT false,
            ADD COLUMN claimed_by varchar(80),
            ADD COLUMN claimed_at timestamptz,
            ADD COLUMN needs_verification boolean NOT NULL DEFAULT false,
            ADD COLUMN verified_at timestamptz,
            ADD COLUMN verified_by varchar(80),
            ADD COLUMN verification_note text NOT NULL DEFAULT '',
            ADD COLUMN last_error text NOT NULL DEFAULT '',
            ADD COLUMN last_error_at timestamptz,
            ADD COLUMN sent_at timestamptz,
            ADD COLUMN sent_channel varchar(10),
            ADD COLUMN receipt_due_at timestamptz,
            ADD COLUMN receipt_checked_at timestamptz,
            ADD COLUMN receipt_checked_by varchar(80),
            ADD COLUMN receipt_contact varchar(120),
            ADD COLUMN hotel_confirmation_no varchar(60),
            ADD COLUMN answered_at timestamptz,
            ADD COLUMN answered_by varchar(80),
            ADD COLUMN full_reason text NOT NULL DEFAULT ''"""
    )
    op.execute(
        "CREATE INDEX confirmation_task_confirmation_no"
        " ON confirmation.confirmation_task (hotel_confirmation_no)"
        " WHERE hotel_confirmation_no IS NOT NULL"
    )
    op.execute(
        """CREATE TABLE confirmation.hotel_terms (
            hotel_id uuid PRIMARY KEY,
            payment_arrangement varchar(40) NOT NULL,
            version_no integer NOT NULL,
            occurred_at timestamptz NOT NULL
        )"""
    )
    op.execute(
        """CREATE TABLE confirmation.order_dispatch (
            dispatch_id uuid PRIMARY KEY,
            task_id uuid NOT NULL REFERENCES confirmation.confirmation_task ON DELETE CASCADE,
            booking_ref varchar(40) NOT NULL,
            hotel_id uuid NOT NULL,
            audience varchar(10) NOT NULL CHECK (audience IN ('hotel', 'customer')),
            channel varchar(10) NOT NULL CHECK (channel IN ('email', 'fax', 'sms')),
            transport varchar(20) NOT NULL,
            address varchar(200) NOT NULL,
            subject text NOT NULL,
            body text NOT NULL,
            document bytea,
            document_name varchar(200),
            state varchar(10) NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'sent', 'failed')),
            attempts integer NOT NULL DEFAULT 0,
            last_error text NOT NULL DEFAULT '',
            message_id varchar(200),
            queued_by varchar(80) NOT NULL,
            queued_at timestamptz NOT NULL,
            sent_at timestamptz,
            finished_at timestamptz
        )"""
    )
    op.execute("CREATE INDEX order_dispatch_task ON confirmation.order_dispatch (task_id)")
    op.execute(
        "CREATE INDEX order_dispatch_by_date ON confirmation.order_dispatch (queued_at DESC)"
    )
    op.execute("CREATE INDEX order_dispatch_ref ON confirmation.order_dispatch (booking_ref)")
    op.execute(
        """CREATE TABLE confirmation.hotel_reply (
            reply_id uuid PRIMARY KEY,
            received_at timestamptz NOT NULL,
            mail_from varchar(320) NOT NULL,
            rcpt_to text NOT NULL,
            subject text NOT NULL DEFAULT '',
            body_text text NOT NULL DEFAULT '',
            message_id varchar(300),
            raw bytea NOT NULL,
            task_id uuid REFERENCES confirmation.confirmation_task ON DELETE SET NULL,
            booking_ref varchar(40),
            matched_by varchar(10) CHECK (matched_by IN ('subject', 'body', 'desk')),
            matched_at timestamptz,
            filed_by varchar(80)
        )"""
    )
    op.execute("CREATE INDEX hotel_reply_by_date ON confirmation.hotel_reply (received_at DESC)")
    op.execute("CREATE INDEX hotel_reply_ref ON confirmation.hotel_reply (booking_ref)")
    op.execute(
        "CREATE INDEX hotel_reply_unmatched ON confirmation.hotel_reply (received_at)"
        " WHERE task_id IS NULL"
    )
    op.execute(
        """CREATE TABLE confirmation.reply_attachment (
            attachment_id uuid PRIMARY KEY,
            reply_id uuid NOT NULL REFERENCES confirmation.hotel_reply ON DELETE CASCADE,
            filename varchar(300) NOT NULL,
            content_type varchar(120) NOT NULL,
            size_bytes integer NOT NULL,
            content bytea NOT NULL
        )"""
    )
    op.execute("CREATE INDEX reply_attachment_reply ON confirmation.reply_attachment (reply_id)")
    op.execute(
        """CREATE TABLE confirmation.customer_notice (
            notice_id uuid PRIMARY KEY,
            task_id uuid NOT NULL REFERENCES confirmation.confirmation_task ON DELETE CASCADE,
            booking_ref varchar(40) NOT NULL,
            outcome varchar(10) NOT NULL CHECK (outcome IN ('confirmed', 'full')),
            channel varchar(10) NOT NULL CHECK (channel IN ('email', 'fax', 'sms', 'phone')),
            contact varchar(200) NOT NULL DEFAULT '',
            deadline_at timestamptz NOT NULL,
            state varchar(10) NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent')),
            last_error text NOT NULL DEFAULT '',
            sent_at timestamptz,
            sent_by varchar(80),
            phone_note text NOT NULL DEFAULT '',
            created_at timestamptz NOT NULL,
            UNIQUE (task_id)
        )"""
    )
    op.execute(
        "CREATE INDEX customer_notice_open ON confirmation.customer_notice (deadline_at)"
        " WHERE state <> 'sent'"
    )


def downgrade() -> None:
    for table in ("customer_notice", "reply_attachment", "hotel_reply", "order_dispatch"):
        op.execute(f"DROP TABLE confirmation.{table}")
    op.execute("DROP TABLE confirmation.hotel_terms")
    op.execute("DROP INDEX confirmation.confirmation_task_confirmation_no")
    op.execute(
        """ALTER TABLE confirmation.confirmation_task
            DROP COLUMN snapshot, DROP COLUMN change_before, DROP COLUMN change_after,
            DROP COLUMN room_type_id, DROP COLUMN reply_at_once,
            DROP COLUMN claimed_by, DROP COLUMN claimed_at,
            DROP COLUMN needs_verification, DROP COLUMN verified_at, DROP COLUMN verified_by,
            DROP COLUMN verification_note, DROP COLUMN last_error, DROP COLUMN last_error_at,
            DROP COLUMN sent_at, DROP COLUMN sent_channel, DROP COLUMN receipt_due_at,
            DROP COLUMN receipt_checked_at, DROP COLUMN receipt_checked_by,
            DROP COLUMN receipt_contact, DROP COLUMN hotel_confirmation_no,
            DROP COLUMN answered_at, DROP COLUMN answered_by, DROP COLUMN full_reason"""
    )
    op.execute(
        """UPDATE confirmation.confirmation_task SET state = 'unsent' WHERE state = 'sending'"""
    )
    op.execute(
        """ALTER TABLE confirmation.confirmation_task
            DROP CONSTRAINT confirmation_task_state_check,
            ADD CONSTRAINT confirmation_task_state_check
                CHECK (state IN ('unsent', 'sent', 'confirmed', 'full'))"""
    )
