"""IN-7 / CS-3: a memo raised for a member's complaint keeps the complaint's id (issue 18).

Revision ID: intake_0011_memo_complaints
Revises: intake_0010_stay_outcomes
"""

from alembic import op

revision = "intake_0011_memo_complaints"
down_revision = "intake_0010_stay_outcomes"
branch_labels = None
depends_on = None

_PEOPLE_PROBLEMS = (
    "'price_mismatch', 'guest_name_mismatch', 'company_mismatch', 'room_count_mismatch', 'other'"
)

# ``complaint_no``: the number customer service quotes, shown as "Member complaint #N".
# UNIQUE on ``complaint_id``: one form per complaint, however often the event is delivered.
STATEMENTS: list[str] = [
    "ALTER TABLE intake.memo ADD COLUMN complaint_id uuid UNIQUE",
    "ALTER TABLE intake.memo ADD COLUMN complaint_no bigint",
    "ALTER TABLE intake.memo DROP CONSTRAINT memo_problem_check",
    "ALTER TABLE intake.memo ADD CONSTRAINT memo_problem_check"
    f" CHECK (problem IN ({_PEOPLE_PROBLEMS}, 'complaint'))",
    # A complaint's form always names its complaint, and only a complaint's form does.
    "ALTER TABLE intake.memo ADD CONSTRAINT memo_complaint_named"
    " CHECK ((problem = 'complaint') = (complaint_id IS NOT NULL AND complaint_no IS NOT NULL))",
]

DOWNGRADE: list[str] = [
    "DELETE FROM intake.memo_reply WHERE memo_id IN"
    " (SELECT memo_id FROM intake.memo WHERE complaint_id IS NOT NULL)",
    "DELETE FROM intake.memo WHERE complaint_id IS NOT NULL",
    "ALTER TABLE intake.memo DROP CONSTRAINT memo_complaint_named",
    "ALTER TABLE intake.memo DROP CONSTRAINT memo_problem_check",
    "ALTER TABLE intake.memo ADD CONSTRAINT memo_problem_check"
    f" CHECK (problem IN ({_PEOPLE_PROBLEMS}))",
    "ALTER TABLE intake.memo DROP COLUMN complaint_no",
    "ALTER TABLE intake.memo DROP COLUMN complaint_id",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
