"""Following Asterisk's queue_log as it grows (SL-1): ``tail -F`` that survives rotation and a
restart without counting a line twice.

A file is known by ``dev:inode``; a line by (file, byte offset). Each poll reads the complete
lines after the stored offset and, in one transaction, stores them (``ON CONFLICT DO
NOTHING`` on the line's identity), folds the new ones into calls and quarter-hour sums
(``ingest_store``, issue 19) and moves the stored position past them, so a crash between
them cannot lose or double a line or a figure.

Rotation (``logrotate`` renames ``queue_log`` to ``queue_log.1`` and Asterisk opens a new one):
the open handle still reads the renamed file, so its last lines are read to the end before
switching to the new file at offset 0. If the service was down during a rotation, the stored
file is looked for among ``<path>.*`` siblings and finished first. A file that shrank in place
(``copytruncate``) is read again from 0. Malformed or unknown lines are stored as rejected with
their reason and never stop the tailer.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.metrics.ingest_store import store_file_lines
from shared.observability import get_logger

log = get_logger("metrics.tailer")
# Lines stored per transaction: bounded so a huge backlog commits progress as it goes.
BATCH_LINES = 5000


def file_id(stat: os.stat_result) -> str:
    return f"{stat.st_dev}:{stat.st_ino}"


@dataclass
class _Open:
    handle: BinaryIO
    file_id: str
    offset: int


class QueueLogTailer:
    def __init__(
        self,
        path: Path,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        source: str = "asterisk",
    ) -> None:
        self.path, self.sessionmaker, self.source = path, sessionmaker, source
        self._open: _Open | None = None

    async def run(self, stop: asyncio.Event, *, interval: float = 1.0) -> None:
        """Poll until ``stop``; a failed poll (database away) is logged and tried again."""
        try:
            while not stop.is_set():
                try:
                    await self.poll_once()
                except Exception as exc:
                    log.warning("queue_log_poll_failed", error=repr(exc))
                    self.close()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=interval)
        finally:
            self.close()

    def close(self) -> None:
        if self._open is not None:
            self._open.handle.close()
            self._open = None

    async def poll_once(self) -> int:
        """Read what is new; returns how many lines (stored or rejected) were taken."""
        if self._open is None:
            taken = await self._resume()
            if self._open is None:
                return taken
        else:
            taken = 0
        taken += await self._drain()
        current = _stat(self.path)
        assert self._open is not None
        if current is not None and file_id(current) != self._open.file_id:
            taken += await self._drain()  # the rotated file's last lines
            self.close()
            self._start(self.path, from_offset=0)
            if self._open is not None:
                taken += await self._drain()
        elif current is not None and current.st_size < self._open.offset:
            log.warning("queue_log_truncated", path=str(self.path))
            self._open.offset = 0
            self._open.handle.seek(0)
            taken += await self._drain()
        return taken

    async def _resume(self) -> int:
        """Open at the stored position, finishing a file rotated while we were down."""
        stored = await self._stored_position()
        current = _stat(self.path)
        if stored is None or (current is not None and file_id(current) == stored[0]):
            self._start(self.path, from_offset=stored[1] if stored else 0)
            return 0
        taken = 0
        rotated = self._find_rotated(stored[0])
        if rotated is not None:
            self._start(rotated, from_offset=stored[1])
            taken += await self._drain()
            self.close()
        self._start(self.path, from_offset=0)
        return taken

    def _find_rotated(self, wanted: str) -> Path | None:
        for candidate in sorted(self.path.parent.glob(self.path.name + ".*")):
            found = _stat(candidate)
            if found is not None and file_id(found) == wanted:
                return candidate
        return None

    def _start(self, path: Path, *, from_offset: int) -> None:
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            return
        stat = os.fstat(handle.fileno())
        offset = from_offset if from_offset <= stat.st_size else 0
        handle.seek(offset)
        self._open = _Open(handle, file_id(stat), offset)

    async def _drain(self) -> int:
        """Store every complete line from the open file's offset to its end."""
        assert self._open is not None
        taken = 0
        while True:
            lines = _complete_lines(self._open)
            if not lines:
                return taken
            await self._store(lines)
            taken += len(lines)

    async def _store(self, lines: list[tuple[int, str]]) -> None:
        """Store, fold (issue 19) and move the position in one transaction: a crash replays
        the batch whole or not at all."""
        assert self._open is not None
        opened = self._open
        end = lines[-1][0] + len(lines[-1][1].encode()) + 1
        async with self.sessionmaker() as session, session.begin():
            rejected = await store_file_lines(session, self.source, opened.file_id, lines)
            await session.execute(
                UPSERT_POSITION,
                {"source": self.source, "file_id": opened.file_id, "line_offset": end},
            )
        opened.offset = end
        if rejected:
            log.info("queue_log_rejected", lines=rejected, source=self.source)

    async def _stored_position(self) -> tuple[str, int] | None:
        async with self.sessionmaker() as session:
            row = (
                await session.execute(
                    text(
                        "SELECT file_id, line_offset FROM metrics.tail_position"
                        " WHERE source = :source"
                    ),
                    {"source": self.source},
                )
            ).first()
        return (str(row[0]), int(row[1])) if row else None


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def _complete_lines(opened: _Open) -> list[tuple[int, str]]:
    """Up to BATCH_LINES whole lines from the offset; a partial last line waits for its
    newline (Asterisk may be mid-write). Returns (byte offset, text) pairs."""
    opened.handle.seek(opened.offset)
    lines: list[tuple[int, str]] = []
    offset = opened.offset
    for raw in opened.handle:
        if not raw.endswith(b"\n") or len(lines) >= BATCH_LINES:
            break
        lines.append((offset, raw[:-1].decode("utf-8", errors="replace").rstrip("\r")))
        offset += len(raw)
    return lines


UPSERT_POSITION = text(
    "INSERT INTO metrics.tail_position (source, file_id, line_offset)"
    " VALUES (:source, :file_id, :line_offset)"
    " ON CONFLICT (source) DO UPDATE SET file_id = excluded.file_id,"
    " line_offset = excluded.line_offset, updated_at = now()"
)
