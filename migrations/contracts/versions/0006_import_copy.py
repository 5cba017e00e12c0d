"""Rate sheets COPYed into a staging table and checked in SQL (issue 19).

``import_staging`` holds a job's cells as text, as the sheet has them (COPY, or copied records
for an .xlsx), ``seq`` numbering them in sheet order (a later row wins a night);
``import_night`` holds the checked rows expanded night by night, from which the apply upserts
the grid set-based. Both are UNLOGGED: a crash loses them, and the job, which keeps its file,
starts over (``imports.jobs``). Rows live only while a job runs.

``import_date`` reads a strict ``YYYY-MM-DD`` and answers NULL for anything else (a February
30th too) rather than failing the whole statement; the Python checker words the report then.

Revision ID: contracts_0006_import_copy
Revises: contracts_0005_event_failures
"""

from alembic import op

revision = "contracts_0006_import_copy"
down_revision = "contracts_0005_event_failures"
branch_labels = None
depends_on = None

STATEMENTS: list[str] = [
    """CREATE UNLOGGED TABLE contracts.import_staging (
        job_id uuid NOT NULL,
        seq bigserial NOT NULL,
        hotel_id text,
        hotel text,
        room_type text,
        rate_plan text,
        first_night text,
        last_night text,
        rooms text,
        net text,
        sell text
    )""",
    "CREATE INDEX import_staging_job ON contracts.import_staging (job_id, seq)",
    """CREATE UNLOGGED TABLE contracts.import_night (
        job_id uuid NOT NULL,
        seq bigint NOT NULL,
        hotel_id uuid NOT NULL,
        room_type_id uuid NOT NULL,
        rate_plan_id uuid,
        currency char(3) NOT NULL,
        night date NOT NULL,
        rooms integer,
        net_minor bigint,
        sell_minor bigint
    )""",
    "CREATE INDEX import_night_job ON contracts.import_night (job_id)",
    # Nested CASEs: PostgreSQL does not promise the order of AND's operands, and make_date
    # raises on month 13; a CASE is evaluated in order. make_date, not a cast (which depends
    # on DateStyle): an immutable body lets the planner inline the function (15 µs a call
    # otherwise, a second for a 36,500-row sheet).
    r"""CREATE FUNCTION contracts.import_date(t text) RETURNS date
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN t ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
            CASE WHEN substr(t, 1, 4)::int >= 1 AND substr(t, 6, 2)::int BETWEEN 1 AND 12 THEN
                CASE WHEN substr(t, 9, 2)::int BETWEEN 1 AND extract(day FROM
                    make_date(substr(t, 1, 4)::int, substr(t, 6, 2)::int, 1)
                    + interval '1 month - 1 day')::int
                THEN make_date(substr(t, 1, 4)::int, substr(t, 6, 2)::int, substr(t, 9, 2)::int)
                END
            END
        END
    $$""",
]

DOWNGRADE: list[str] = [
    "DROP FUNCTION contracts.import_date(text)",
    "DROP TABLE contracts.import_night",
    "DROP TABLE contracts.import_staging",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
