"""Complaints (issue 18, CS-3, SL-5).

Revision ID: members_0008_complaints
Revises: members_0007_rewards
"""

from alembic import op

revision = "members_0008_complaints"
down_revision = "members_0007_rewards"
branch_labels = None
depends_on = None

STATEMENTS: list[str] = [
    """CREATE TABLE members.complaint (
        complaint_id uuid PRIMARY KEY,
        complaint_no integer GENERATED ALWAYS AS IDENTITY NOT NULL UNIQUE,
        member_id uuid REFERENCES members.member (member_id),
        complainant_name varchar(200) NOT NULL,
        contact_phone varchar(40) NOT NULL,
        member_card varchar(40) NOT NULL,
        booking_ref varchar(40),
        hotel_id uuid,
        hotel_name varchar(300) NOT NULL,
        category varchar(20) NOT NULL,
        severity varchar(10) NOT NULL,
        summary varchar(2000) NOT NULL,
        department varchar(20) NOT NULL,
        status varchar(10) NOT NULL,
        filed_by varchar(120) NOT NULL,
        filed_at timestamptz NOT NULL,
        department_due_at timestamptz NOT NULL,
        progress_due_at timestamptz NOT NULL,
        final_due_at timestamptz NOT NULL,
        findings varchar(2000) NOT NULL,
        findings_at timestamptz,
        findings_by varchar(120) NOT NULL,
        progress_answer varchar(2000) NOT NULL,
        progress_at timestamptz,
        final_answer varchar(2000) NOT NULL,
        final_at timestamptz,
        apology_visit_due boolean NOT NULL,
        visit_at date,
        visit_note varchar(2000) NOT NULL,
        outcome varchar(2000) NOT NULL,
        closed_by varchar(120) NOT NULL,
        closed_at timestamptz,
        version integer NOT NULL,
        CONSTRAINT complaint_category_known CHECK (category IN ('room', 'cleanliness',
            'service', 'overbooking', 'price', 'booking_error', 'confirmation', 'other')),
        CONSTRAINT complaint_severity_known CHECK (severity IN ('minor', 'major')),
        CONSTRAINT complaint_department_known CHECK (department IN ('hotel_resources',
            'confirmation', 'finance', 'customer_service', 'booking')),
        CONSTRAINT complaint_status_known CHECK (status IN ('open', 'findings', 'answered',
            'closed'))
    )""",
    "CREATE INDEX complaint_by_status ON members.complaint (status, filed_at)",
    "CREATE INDEX complaint_by_filed ON members.complaint (filed_at)",
    "CREATE INDEX complaint_by_member ON members.complaint (member_id)",
    "CREATE INDEX complaint_by_hotel ON members.complaint (hotel_id)",
    """CREATE TABLE members.complaint_step (
        step_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        complaint_id uuid NOT NULL REFERENCES members.complaint (complaint_id),
        kind varchar(20) NOT NULL,
        actor varchar(120) NOT NULL,
        at timestamptz NOT NULL,
        text text NOT NULL
    )""",
    "CREATE INDEX complaint_step_thread ON members.complaint_step (complaint_id, step_id)",
    """CREATE TABLE members.complaint_hotel (
        hotel_id uuid PRIMARY KEY,
        name varchar(300) NOT NULL,
        city varchar(60) NOT NULL,
        source_version bigint NOT NULL
    )""",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for table in ("complaint_hotel", "complaint_step", "complaint"):
        op.execute(f"DROP TABLE members.{table}")
