"""Rate and allotment import jobs.

Registered on the service's one ``metadata`` (``services.contracts.models``),
which the models-versus-migrations test reads."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CHAR,
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.contracts.models import FINISHED, QUEUED, Base


class ImportJob(Base):
    """An uploaded rate or allotment sheet and its progress. The file is kept in the row: the
    web process and the worker may run on different machines."""

    __tablename__ = "import_job"
    __table_args__ = (
        Index("import_job_recent", text("created_at DESC")),
        # The sweep looks for jobs stuck before finishing (import_jobs.sweep_import_jobs).
        Index(
            "import_job_unfinished",
            "updated_at",
            postgresql_where=text("state IN ('queued', 'checking', 'applying')"),
        ),
    )

    job_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    # Up to MAX_BYTES: loaded only by the job, never by the status polls.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True, deferred_raiseload=True)
    state: Mapped[str] = mapped_column(String(10), default=QUEUED)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_processed: Mapped[int] = mapped_column(Integer, default=0)
    rows_applied: Mapped[int] = mapped_column(Integer, default=0)
    applied: Mapped[int | None] = mapped_column(Integer, default=None)
    report: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    error: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def progress(self) -> int:
        """Percent done: checking is the first half, applying the second; 100 once finished
        (the page then says whether anything was imported)."""
        if self.finished:
            return 100
        if not self.rows_total:
            return 0
        return min(99, (self.rows_processed + self.rows_applied) * 50 // self.rows_total)


# Issue 19: a job's sheet COPYed as text, then its checked rows night by night (migration
# contracts 0006; ``imports.staging`` fills and empties them within the job's run).
STAGED_COLUMNS = (
    "hotel_id",
    "hotel",
    "room_type",
    "rate_plan",
    "first_night",
    "last_night",
    "rooms",
    "net",
    "sell",
)
import_staging = Table(
    "import_staging",
    Base.metadata,
    Column("job_id", UUID(as_uuid=True), nullable=False),
    Column("seq", BigInteger, nullable=False),
    *(Column(name, Text) for name in STAGED_COLUMNS),
    Index("import_staging_job", "job_id", "seq"),
)
import_night = Table(
    "import_night",
    Base.metadata,
    Column("job_id", UUID(as_uuid=True), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("hotel_id", UUID(as_uuid=True), nullable=False),
    Column("room_type_id", UUID(as_uuid=True), nullable=False),
    Column("rate_plan_id", UUID(as_uuid=True)),
    Column("currency", CHAR(3), nullable=False),
    Column("night", Date, nullable=False),
    Column("rooms", Integer),
    Column("net_minor", BigInteger),
    Column("sell_minor", BigInteger),
    Index("import_night_job", "job_id"),
)
