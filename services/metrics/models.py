"""Tables of the metrics schema (outbox, inbox and audit log come from shared).

Core tables, not ORM classes: the tailer and the projections write them with bulk inserts
and upserts, and the dashboards read them with hand-written SQL.
"""

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase

from services.metrics.settings import SCHEMA


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA)


# The schema's one MetaData: every table registers here, so the drift test sees them all.
metadata = Base.metadata

# SL-1: one queue_log line (or webhook event) each; UNIQUE (file_id, line_offset) makes
# re-reading a file after a restart or a rotation count nothing twice.
call_line = Table(
    "call_line",
    metadata,
    Column("line_id", BigInteger, primary_key=True, autoincrement=True),
    Column("source", String(80), nullable=False),
    Column("file_id", String(120), nullable=False),
    Column("line_offset", BigInteger, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("call_id", String(80), nullable=False),
    Column("queue", String(80), nullable=False),
    Column("agent", String(120), nullable=False),
    Column("event", String(40), nullable=False),
    Column("data", JSONB, nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("file_id", "line_offset"),
    Index("call_line_at", "at"),
    Index("call_line_call", "call_id"),
)
# The few agent lines (login, pause …), read by time for states and available time.
Index(
    "call_line_agent_event",
    call_line.c.at,
    postgresql_where=text(
        "event IN ('AGENTLOGIN', 'AGENTLOGOFF', 'AGENTCALLBACKLOGIN', 'AGENTCALLBACKLOGOFF',"
        " 'ADDMEMBER', 'REMOVEMEMBER', 'PAUSE', 'UNPAUSE', 'PAUSEALL', 'UNPAUSEALL')"
    ),
)
# SL-1, issue 19: one row per call, folded from its lines in the transaction storing them.
call = Table(
    "call",
    metadata,
    Column("call_no", BigInteger, primary_key=True, autoincrement=True),
    Column("call_id", String(80), nullable=False),
    Column("queue", String(80), nullable=False),
    Column("caller", String(80), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    Column("entry_logged", Boolean, nullable=False),
    Column("wait_seconds", Integer),
    Column("answered_at", DateTime(timezone=True)),
    Column("agent", String(120), nullable=False),
    Column("talk_seconds", Integer),
    Column("ended_at", DateTime(timezone=True)),
    Column("transferred", Boolean, nullable=False),
    Column("ring_no_answer", Integer, nullable=False),
    Column("is_open", Boolean, nullable=False),
    Index("call_open", "call_id", unique=True, postgresql_where=text("is_open")),
    Index("call_entered", "entered_at"),
    Index("call_unended", "entered_at", postgresql_where=text("ended_at IS NULL")),
    # The call-back list and its count: a day's abandoned calls without its answered ones.
    Index("call_abandoned", "entered_at", postgresql_where=text("outcome = 'abandoned'")),
)


def _sums() -> list[Column[object]]:
    """Running sums of one quarter hour (call_figures._Tally's fields)."""
    zero = text("0")
    counts = ("offered", "answered", "abandoned", "timed_out", "exited")
    big = ("answer_wait", "handle_seconds", "talk_seconds")
    small = ("handled", "transferred", "ring_no_answer")
    columns: list[Column[object]] = [
        Column(name, Integer, nullable=False, server_default=zero) for name in counts
    ]
    columns.append(
        Column("answered_waits", ARRAY(Integer), nullable=False, server_default=text("'{}'"))
    )
    columns.append(Column("longest_wait", Integer))
    columns += [Column(name, BigInteger, nullable=False, server_default=zero) for name in big]
    columns += [Column(name, Integer, nullable=False, server_default=zero) for name in small]
    return columns


call_interval = Table(
    "call_interval",
    metadata,
    Column("starts_at", DateTime(timezone=True), primary_key=True),
    Column("queue", String(80), primary_key=True),
    *_sums(),
)
agent_interval = Table(
    "agent_interval",
    metadata,
    Column("starts_at", DateTime(timezone=True), primary_key=True),
    Column("agent", String(120), primary_key=True),
    *_sums(),
)
# Per queue, all time: the Prometheus counters and histograms.
call_total = Table(
    "call_total",
    metadata,
    Column("queue", String(80), primary_key=True),
    *[
        Column(name, BigInteger, nullable=False, server_default=text("0"))
        for name in ("offered", "answered", "abandoned")
    ],
    *[
        Column(name, ARRAY(BigInteger), nullable=False, server_default=text("'{}'"))
        for name in ("answered_waits", "offered_waits")
    ],
    Column("wait_sum", BigInteger, nullable=False, server_default=text("0")),
    Column("handle_counts", ARRAY(BigInteger), nullable=False, server_default=text("'{}'")),
    Column("handle_sum", BigInteger, nullable=False, server_default=text("0")),
)
# Malformed or unknown lines, kept for inspection, never fatal.
rejected_line = Table(
    "rejected_line",
    metadata,
    Column("rejected_id", BigInteger, primary_key=True, autoincrement=True),
    Column("source", String(80), nullable=False),
    Column("file_id", String(120), nullable=False),
    Column("line_offset", BigInteger, nullable=False),
    Column("line", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("rejected_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("file_id", "line_offset"),
)
# Where each tailed file was read up to, written in the transaction of the lines it covers.
tail_position = Table(
    "tail_position",
    metadata,
    Column("source", String(80), primary_key=True),
    Column("file_id", String(120), nullable=False),
    Column("line_offset", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
# SL-3 / SL-6: one row per confirmation task. Events arrive in any order, so every column
# but the key is nullable and each event fills only its own.
desk_task = Table(
    "desk_task",
    metadata,
    Column("task_id", Uuid, primary_key=True),
    Column("booking_ref", String(40)),
    Column("kind", String(20)),
    Column("hotel_name", String(400)),
    Column("deadline_at", DateTime(timezone=True)),
    Column("opened_at", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Column("answered_at", DateTime(timezone=True)),
    Column("answer", String(20)),
    Column("receipt_due_at", DateTime(timezone=True)),
    Column("receipt_checked_at", DateTime(timezone=True)),
    Column("receipt_checked_by", String(120)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("desk_task_unanswered", "deadline_at", postgresql_where=text("answered_at IS NULL")),
    Index(
        "desk_task_receipt", "receipt_due_at", postgresql_where=text("receipt_checked_at IS NULL")
    ),
)
# SL-2: one row per placed booking with the seconds the agent took.
booking_handle = Table(
    "booking_handle",
    metadata,
    Column("booking_id", Uuid, primary_key=True),
    Column("booking_ref", String(40), nullable=False),
    Column("agent_username", String(120), nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Column("handle_seconds", Integer),
    Index("booking_handle_placed", "placed_at"),
)
# SL-4: one row per no-show case (issue 16), from ``noshow.case_opened`` / ``case_finished``;
# events arrive in any order, so everything but the key is nullable.
noshow_case = Table(
    "noshow_case",
    metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("booking_ref", String(40)),
    Column("hotel_name", String(300)),
    Column("business_date", Date),
    Column("opened_at", DateTime(timezone=True)),
    Column("due_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("outcome", String(20)),
    Index("noshow_case_unfinished", "due_at", postgresql_where=text("finished_at IS NULL")),
)
# SL-5: one row per complaint (issue 18), from ``members.complaint_routed`` (what and when
# due) and ``members.complaint_answered`` (each stage met); events arrive in any order, so
# everything but the key is nullable. An answered stage keeps its earliest time.
complaint_clock = Table(
    "complaint_clock",
    metadata,
    Column("complaint_id", Uuid, primary_key=True),
    Column("complaint_no", BigInteger),
    Column("category", String(60)),
    Column("severity", String(10)),
    Column("hotel_name", String(300)),
    Column("department", String(20)),
    Column("filed_at", DateTime(timezone=True)),
    Column("department_due_at", DateTime(timezone=True)),
    Column("progress_due_at", DateTime(timezone=True)),
    Column("final_due_at", DateTime(timezone=True)),
    Column("department_at", DateTime(timezone=True)),
    Column("progress_at", DateTime(timezone=True)),
    Column("final_at", DateTime(timezone=True)),
)
# Telephony agents as people (issue 15): one row per extension ("PJSIP/801" and
# "Local/801@from-queue/n" are both 801), naming the staff member who answers on it. No staff
# event reaches metrics, so the admin types or picks the username and the name shown.
agent_name = Table(
    "agent_name",
    metadata,
    Column("extension", String(120), primary_key=True),
    Column("staff_username", String(120), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("updated_by", String(80), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
