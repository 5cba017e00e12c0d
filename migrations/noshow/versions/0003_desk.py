"""The no-show desk (issue 16, NS-1 … NS-7, SL-4).

- ``stay_booking`` / ``hotel_terms``: read models of intake's and confirmation's bookings and
  of contracts' terms in effect (ordered by ``source_version``, issue 12).
- ``check_in``: the hotel's word on an arrival (night-audit upload, desk typing, API).
- ``no_show_case``: the worklist opened at the night audit, its clock and outcome version.
- ``booker_call`` / ``hotel_check``: the calls to the booker and the second check (NS-2, NS-5).
- ``audit_import`` / ``column_mapping``: night-audit imports and each hotel's report columns.
- ``audit_credential``: machine logins (HTTP Basic) to the night-audit API.

Revision ID: noshow_0003_desk
Revises: noshow_0002_event_failures
"""

from alembic import op

from shared.machine_credentials import credential_table_ddl

revision = "noshow_0003_desk"
down_revision = "noshow_0002_event_failures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE noshow.stay_booking (
            booking_id uuid PRIMARY KEY,
            booking_ref varchar(40) NOT NULL UNIQUE,
            booking_version integer NOT NULL,
            hotel_id uuid NOT NULL,
            hotel_name varchar(300) NOT NULL,
            check_in date NOT NULL,
            check_out date NOT NULL,
            rooms integer NOT NULL,
            guest_names jsonb NOT NULL,
            booker_name varchar(200) NOT NULL,
            booker_phone varchar(40) NOT NULL,
            booker_company varchar(200) NOT NULL DEFAULT '',
            member_card varchar(40) NOT NULL DEFAULT '',
            agent_username varchar(120) NOT NULL,
            payment_mode varchar(40) NOT NULL,
            currency varchar(3) NOT NULL,
            nights jsonb NOT NULL,
            status varchar(40) NOT NULL,
            hotel_confirmation_no varchar(60),
            source_version bigint NOT NULL DEFAULT 0
        )"""
    )
    op.execute("CREATE INDEX ix_noshow_stay_booking_hotel_id ON noshow.stay_booking (hotel_id)")
    op.execute("CREATE INDEX stay_booking_arrival ON noshow.stay_booking (check_in, status)")
    op.execute(
        """CREATE TABLE noshow.hotel_terms (
            hotel_id uuid PRIMARY KEY,
            contract_version_id uuid NOT NULL,
            payment_arrangement varchar(40) NOT NULL,
            guaranteed boolean NOT NULL DEFAULT false,
            no_show_fee varchar(20) NOT NULL DEFAULT 'none',
            no_show_fee_percent integer,
            commission_percent varchar(10),
            source_version bigint NOT NULL DEFAULT 0
        )"""
    )
    op.execute(
        """CREATE TABLE noshow.check_in (
            check_in_id uuid PRIMARY KEY,
            booking_id uuid NOT NULL REFERENCES noshow.stay_booking (booking_id),
            business_date date NOT NULL,
            stayed boolean NOT NULL,
            nights_stayed integer,
            source varchar(20) NOT NULL,
            import_id uuid,
            recorded_by varchar(120) NOT NULL,
            recorded_at timestamptz NOT NULL
        )"""
    )
    op.execute("CREATE INDEX ix_noshow_check_in_booking_id ON noshow.check_in (booking_id)")
    op.execute(
        """CREATE TABLE noshow.no_show_case (
            case_id uuid PRIMARY KEY,
            booking_id uuid NOT NULL UNIQUE REFERENCES noshow.stay_booking (booking_id),
            business_date date NOT NULL,
            state varchar(20) NOT NULL,
            opened_at timestamptz NOT NULL,
            due_at timestamptz NOT NULL,
            finished_at timestamptz,
            outcome_version integer NOT NULL DEFAULT 0,
            reason_category varchar(40) NOT NULL DEFAULT '',
            corrected boolean NOT NULL DEFAULT false,
            note text NOT NULL DEFAULT '',
            updated_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    op.execute("CREATE INDEX no_show_case_open ON noshow.no_show_case (state, due_at)")
    op.execute(
        """CREATE TABLE noshow.booker_call (
            call_id uuid PRIMARY KEY,
            case_id uuid NOT NULL REFERENCES noshow.no_show_case (case_id),
            reached boolean NOT NULL,
            reason_category varchar(40) NOT NULL DEFAULT '',
            reminder_given boolean NOT NULL DEFAULT false,
            suggestion text NOT NULL DEFAULT '',
            note text NOT NULL DEFAULT '',
            called_by varchar(120) NOT NULL,
            called_at timestamptz NOT NULL
        )"""
    )
    op.execute("CREATE INDEX ix_noshow_booker_call_case_id ON noshow.booker_call (case_id)")
    op.execute(
        """CREATE TABLE noshow.hotel_check (
            check_id uuid PRIMARY KEY,
            case_id uuid NOT NULL REFERENCES noshow.no_show_case (case_id),
            hotel_contact varchar(200) NOT NULL,
            hotel_said text NOT NULL,
            guest_stayed boolean NOT NULL,
            checked_by varchar(120) NOT NULL,
            checked_at timestamptz NOT NULL
        )"""
    )
    op.execute("CREATE INDEX ix_noshow_hotel_check_case_id ON noshow.hotel_check (case_id)")
    op.execute(
        """CREATE TABLE noshow.audit_import (
            import_id uuid PRIMARY KEY,
            source varchar(20) NOT NULL,
            file_name varchar(255) NOT NULL DEFAULT '',
            state varchar(20) NOT NULL,
            rows integer NOT NULL DEFAULT 0,
            report jsonb NOT NULL DEFAULT '[]'::jsonb,
            imported_by varchar(120) NOT NULL,
            imported_at timestamptz NOT NULL
        )"""
    )
    op.execute(
        """CREATE TABLE noshow.column_mapping (
            mapping_id uuid PRIMARY KEY,
            hotel_id uuid NOT NULL UNIQUE,
            columns jsonb NOT NULL,
            saved_by varchar(120) NOT NULL,
            saved_at timestamptz NOT NULL
        )"""
    )
    # Hotels' and channel managers' logins to the night-audit API (shared.machine_credentials).
    for statement in credential_table_ddl("noshow", "audit_credential", "credential_id"):
        op.execute(statement)


def downgrade() -> None:
    for table in (
        "audit_credential",
        "column_mapping",
        "audit_import",
        "hotel_check",
        "booker_call",
        "no_show_case",
        "check_in",
        "hotel_terms",
        "stay_booking",
    ):
        op.execute(f"DROP TABLE noshow.{table}")
