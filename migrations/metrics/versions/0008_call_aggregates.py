"""Calls and intervals folded at ingest (issue 19, SL-1).

- ``call``: one row per call (one stay of a caller in one queue), kept by the ingest fold in the
  transaction that stores its lines. ``is_open`` calls are the ones a later line may still
  change; at most one per ``call_id`` (the partial unique index), as in the fold.
- ``call_interval`` (per queue) and ``agent_interval`` (per agent): running sums per quarter
  hour of entry, which every interval the dashboard shows (15 minutes to a month) is a union
  of. ``answered_waits[w + 1]`` counts answered calls that waited ``w`` seconds (capped), so
  "answered within the threshold" is read for whatever ring cadence is configured.
- ``call_total``: per queue, all-time counters and histograms for the Prometheus scrape.
- ``call_line_agent_event``: the few agent lines (login, pause …) read by time.

Revision ID: metrics_0008_call_aggregates
Revises: metrics_0007_complaints
"""

from alembic import op

revision = "metrics_0008_call_aggregates"
down_revision = "metrics_0007_complaints"
branch_labels = None
depends_on = None

_SUMS = """
    offered integer NOT NULL DEFAULT 0,
    answered integer NOT NULL DEFAULT 0,
    abandoned integer NOT NULL DEFAULT 0,
    timed_out integer NOT NULL DEFAULT 0,
    exited integer NOT NULL DEFAULT 0,
    answered_waits integer[] NOT NULL DEFAULT '{}',
    answer_wait bigint NOT NULL DEFAULT 0,
    longest_wait integer,
    handled integer NOT NULL DEFAULT 0,
    handle_seconds bigint NOT NULL DEFAULT 0,
    transferred integer NOT NULL DEFAULT 0,
    ring_no_answer integer NOT NULL DEFAULT 0,
    talk_seconds bigint NOT NULL DEFAULT 0"""

STATEMENTS: list[str] = [
    """CREATE TABLE metrics.call (
        call_no bigserial PRIMARY KEY,
        call_id varchar(80) NOT NULL,
        queue varchar(80) NOT NULL,
        caller varchar(80) NOT NULL,
        outcome varchar(20) NOT NULL,
        entered_at timestamptz NOT NULL,
        entry_logged boolean NOT NULL,
        wait_seconds integer,
        answered_at timestamptz,
        agent varchar(120) NOT NULL,
        talk_seconds integer,
        ended_at timestamptz,
        transferred boolean NOT NULL,
        ring_no_answer integer NOT NULL,
        is_open boolean NOT NULL
    )""",
    "CREATE UNIQUE INDEX call_open ON metrics.call (call_id) WHERE is_open",
    "CREATE INDEX call_entered ON metrics.call (entered_at)",
    "CREATE INDEX call_unended ON metrics.call (entered_at) WHERE ended_at IS NULL",
    "CREATE INDEX call_abandoned ON metrics.call (entered_at) WHERE outcome = 'abandoned'",
    f"""CREATE TABLE metrics.call_interval (
        starts_at timestamptz NOT NULL,
        queue varchar(80) NOT NULL,{_SUMS},
        PRIMARY KEY (starts_at, queue)
    )""",
    f"""CREATE TABLE metrics.agent_interval (
        starts_at timestamptz NOT NULL,
        agent varchar(120) NOT NULL,{_SUMS},
        PRIMARY KEY (starts_at, agent)
    )""",
    """CREATE TABLE metrics.call_total (
        queue varchar(80) PRIMARY KEY,
        offered bigint NOT NULL DEFAULT 0,
        answered bigint NOT NULL DEFAULT 0,
        abandoned bigint NOT NULL DEFAULT 0,
        answered_waits bigint[] NOT NULL DEFAULT '{}',
        offered_waits bigint[] NOT NULL DEFAULT '{}',
        wait_sum bigint NOT NULL DEFAULT 0,
        handle_counts bigint[] NOT NULL DEFAULT '{}',
        handle_sum bigint NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX call_line_agent_event ON metrics.call_line (at) WHERE event IN ("
    "'AGENTLOGIN', 'AGENTLOGOFF', 'AGENTCALLBACKLOGIN', 'AGENTCALLBACKLOGOFF', 'ADDMEMBER',"
    " 'REMOVEMEMBER', 'PAUSE', 'UNPAUSE', 'PAUSEALL', 'UNPAUSEALL')",
]

DOWNGRADE: list[str] = [
    "DROP INDEX metrics.call_line_agent_event",
    "DROP TABLE metrics.call_total",
    "DROP TABLE metrics.agent_interval",
    "DROP TABLE metrics.call_interval",
    "DROP TABLE metrics.call",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
