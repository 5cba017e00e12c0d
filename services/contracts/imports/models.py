"""Rate and allotment import jobs.

Registered on the service's one ``metadata`` (``services.contracts.models``),
which the models-versus-migrations test reads."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
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
