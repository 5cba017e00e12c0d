"""Handle time from a server-side record (issue 14): ``booking_form`` holds every booking form
the server rendered (IN-1). The form carries only the row's random ``form_id``; the booking
reads its opening time and its call from here and marks the row used in its own transaction,
so no timestamp the browser can alter decides a handle time.

- ``user_id`` / ``agent_username``: whose form it is; another agent's id is refused.
- ``call_id``: the telephony's call the form was opened for, if any.
- ``opened_at``: when the server rendered the form (the server's clock).
- ``claimed_call_answered_at``: the answer time the client sent, kept for the record only.
- ``call_answered_at``: the answer time the handle time runs from: the client's value bounded by
  what the server saw (not after the first opening of a form for that call, not more than two
  hours before it).
- ``used_at`` / ``booking_id``: set once, by the booking that used the form.

Revision ID: intake_0008_booking_forms
Revises: intake_0007_source_version
"""

from alembic import op

revision = "intake_0008_booking_forms"
down_revision = "intake_0007_source_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE intake.booking_form (
            form_id uuid PRIMARY KEY,
            user_id bigint NOT NULL,
            agent_username varchar(80) NOT NULL,
            call_id varchar(64),
            opened_at timestamptz NOT NULL,
            claimed_call_answered_at timestamptz,
            call_answered_at timestamptz,
            used_at timestamptz,
            booking_id uuid,
            CONSTRAINT booking_form_call CHECK (call_answered_at IS NULL OR call_id IS NOT NULL),
            CONSTRAINT booking_form_used CHECK ((used_at IS NULL) = (booking_id IS NULL))
        )"""
    )
    op.execute(
        "CREATE INDEX booking_form_call_of ON intake.booking_form (user_id, call_id, opened_at)"
        " WHERE call_id IS NOT NULL"
    )
    op.execute("CREATE INDEX booking_form_opened ON intake.booking_form (opened_at)")


def downgrade() -> None:
    op.execute("DROP TABLE intake.booking_form")
