"""Rendering documents to PDF off the event loop, a few at a time, each within a time cap.

Order sheets and customers' letters today, payment and member letters tomorrow: every service
renders through ``render_pdf`` (issue 14: one 5,000-character guest name made a four-page
sheet that took 80–100 s, and every other preview waited behind it).

- Renders run in worker processes (``shared.document_worker``), never in the web process:
  WeasyPrint's layout is CPU work that would stall the event loop, and Pango and fontconfig
  have a history of crashing when several threads share them (WeasyPrint #167, #684, #1402).
- At most ``ROOMLINE_DOCUMENT_RENDERS`` render at once (one process each); the rest wait
  their turn.
- Each render may take ``ROOMLINE_DOCUMENT_RENDER_SECONDS``; past that its process is killed
  (a thread could not be) and the caller gets ``DocumentRenderTimedOut``, a bilingual 503
  the error pages show as they are. The next render starts a fresh process.
- A character no installed font has prints as "[?]" (``document_worker.printable``).

A worker process is started on first use, loads WeasyPrint once, and is replaced after
``RENDERS_PER_WORKER`` documents (so memory Pango leaks stays bounded) or when it died. If the
web process dies, its workers see the socket close and exit.
"""

from __future__ import annotations

import asyncio
import atexit
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache, partial
from multiprocessing.connection import Connection
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from prometheus_client import Counter, Gauge
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.document_worker import MISSING_GLYPH, printable
from shared.errors import DomainError
from shared.i18n import both
from shared.observability import get_logger

__all__ = [
    "MISSING_GLYPH",
    "DocumentNotRendered",
    "DocumentRenderTimedOut",
    "DocumentRenderer",
    "DocumentSettings",
    "configure",
    "printable",
    "render_pdf",
    "renderer",
]

log = get_logger("documents")

# A worker that has not loaded WeasyPrint by then is broken (it takes about a second).
WORKER_START_SECONDS = 60.0
RENDERS_PER_WORKER = 200
_KIT_ROOT = Path(__file__).resolve().parent.parent  # the folder ``shared`` is imported from

RENDERS_IN_PROGRESS = Gauge(
    "roomline_document_renders_in_progress", "PDF documents being rendered now (at most the limit)"
)
RENDERS = Counter(
    "roomline_document_renders_total", "PDF documents rendered, by outcome", ["outcome"]
)
_OUTCOMES = {"completed": "ok", "timed_out": "timed_out", "failed": "failed"}


class DocumentSettings(BaseSettings):
    """``ROOMLINE_DOCUMENT_RENDERS``: documents rendered at once (each a process, each a CPU
    core while it runs); ``ROOMLINE_DOCUMENT_RENDER_SECONDS``: the longest one may take."""

    model_config = SettingsConfigDict(env_prefix="ROOMLINE_", extra="ignore")

    document_renders: int = Field(2, ge=1, le=32)
    document_render_seconds: float = Field(20.0, gt=0, le=600)


@lru_cache
def document_settings() -> DocumentSettings:
    return DocumentSettings()


class DocumentNotRendered(DomainError):
    """The document could not be made; nothing was sent or shown in its place."""

    status_code = 503
    code = "document_not_rendered"


class DocumentRenderTimedOut(DocumentNotRendered):
    code = "document_render_timed_out"

    def __init__(self, name: str, seconds: float) -> None:
        super().__init__(
            f"文件（{name}）生成超过 {seconds:g} 秒，已停止：请检查客人姓名、特殊要求等内容是否"
            f"过长，修改后再试 / The document ({name}) took longer than {seconds:g} s to "
            "render and was stopped: check for over-long text such as guest names or special "
            "requests, correct it and try again."
        )
        self.seconds = seconds


def _failed(name: str, reason: str) -> DocumentNotRendered:
    return DocumentNotRendered(
        f"文件（{name}）生成失败，请稍后再试 / The document ({name}) could not be rendered "
        f"({reason}); try again shortly."
    )


@dataclass(eq=False)  # compared (and hashed) by identity: one per process
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection
    renders: int = 0

    @classmethod
    def start(cls) -> _Worker:
        ours, theirs = socket.socketpair()
        # The kit's own folder goes last on the path: the worker finds ``shared`` where this
        # process did, without a folder of ours shadowing anything installed.
        code = (
            f"import sys; sys.path.append({str(_KIT_ROOT)!r}); "
            f"from shared.document_worker import serve; serve({theirs.fileno()})"
        )
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", code],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
            )
        finally:
            theirs.close()
        worker = cls(process, Connection(ours.detach()))
        if not worker.conn.poll(WORKER_START_SECONDS):
            worker.kill()
            raise RuntimeError(f"the PDF worker did not start within {WORKER_START_SECONDS:g} s")
        try:
            kind, reason = worker.conn.recv()
        except (EOFError, OSError) as exc:
            worker.kill()
            raise RuntimeError(
                f"the PDF worker stopped while starting (exit {process.poll()})"
            ) from exc
        if kind != "ready":
            worker.kill()
            raise RuntimeError(f"the PDF worker could not start: {reason}")
        return worker

    def kill(self) -> None:
        try:
            self.conn.close()
        except OSError:
            pass
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL is not refused
            log.warning("pdf_worker_not_reaped", pid=self.process.pid)


@dataclass
class _Counters:
    in_progress: int = 0
    peak: int = 0
    started: int = 0
    completed: int = 0
    timed_out: int = 0
    failed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class DocumentRenderer:
    """At most ``renders`` documents at once, each in a worker process, each within
    ``seconds``. Usable from any event loop: its own threads wait for the workers."""

    def __init__(self, *, renders: int, seconds: float) -> None:
        if renders < 1 or seconds <= 0:
            raise ValueError("renders must be at least 1 and seconds above 0")
        self.renders = renders
        self.seconds = seconds
        # One thread per render in progress: it hands the job to a worker and waits for the
        # answer, so the pool's size is the limit on renders at once.
        self._threads = ThreadPoolExecutor(max_workers=renders, thread_name_prefix="pdf-render")
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._lock = threading.Lock()
        self._counters = _Counters()
        self._closed = False
        self._warming: list[Future[None]] = []

    # --- what tests and metrics read ---------------------------------------------------------

    @property
    def in_progress(self) -> int:
        """Renders running now (handed to a worker, answer not yet back)."""
        return self._counters.in_progress

    @property
    def peak(self) -> int:
        """The most renders that ever ran at once in this renderer."""
        return self._counters.peak

    @property
    def timed_out(self) -> int:
        return self._counters.timed_out

    @property
    def completed(self) -> int:
        return self._counters.completed

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in (*self._idle, *self._busy)]

    # --- rendering ---------------------------------------------------------------------------

    async def warm_up(self) -> None:
        """Start every worker now (each loads WeasyPrint and the fonts, a second or more), so
        no document waits for that later. Renders asked for meanwhile queue behind it."""
        if not self._warming:
            self._warming = [self._threads.submit(self._warm_one) for _ in range(self.renders)]
        await asyncio.gather(*(asyncio.wrap_future(f) for f in self._warming))

    def _warm_one(self) -> None:
        try:
            worker = self._take_worker()
        except (OSError, RuntimeError) as exc:
            log.error("pdf_worker_start_failed", error=str(exc))
            return
        self._give_back(worker, keep=True, rendered=False)

    async def render(self, html: str, *, base_url: str | None = None, name: str = "PDF") -> bytes:
        """The PDF of ``html``; ``DocumentRenderTimedOut`` past the cap, ``DocumentNotRendered``
        if the renderer failed. Waits its turn behind at most ``renders`` others."""
        if self._closed:
            raise _failed(name, "the renderer is shut down")
        if not self._warming:  # the first render starts the other workers alongside its own
            self._warming = [self._threads.submit(self._warm_one) for _ in range(self.renders)]
        future = self._threads.submit(self._render_job, html, base_url=base_url, name=name)
        return await asyncio.wrap_future(future)

    def _render_job(self, html: str, *, base_url: str | None, name: str) -> bytes:
        """One render, in a thread of the pool (whose size is the limit on renders at once)."""
        try:
            worker = self._take_worker()
        except (OSError, RuntimeError) as exc:
            log.error("pdf_worker_start_failed", error=str(exc))
            raise _failed(name, "the renderer could not start") from exc
        self._count(start=True)
        began = time.monotonic()
        keep = False
        try:
            try:
                worker.conn.send((html, base_url))
                answered = worker.conn.poll(self.seconds)
            except (EOFError, OSError) as exc:
                self._bump("failed")
                log.error("pdf_worker_lost", pid=worker.process.pid, error=str(exc), document=name)
                raise _failed(name, "the renderer stopped") from exc
            if not answered:
                self._bump("timed_out")
                log.warning(
                    "pdf_render_timed_out",
                    document=name,
                    seconds=self.seconds,
                    html_chars=len(html),
                    pid=worker.process.pid,
                )
                raise DocumentRenderTimedOut(name, self.seconds)
            try:
                kind, payload = worker.conn.recv()
            except (EOFError, OSError) as exc:
                self._bump("failed")
                log.error("pdf_worker_died", pid=worker.process.pid, exit=worker.process.poll())
                raise _failed(name, "the renderer stopped") from exc
            keep = True
            if kind != "ok":
                self._bump("failed")
                log.error("pdf_render_failed", document=name, error=str(payload))
                raise _failed(name, str(payload)[:200])
            self._bump("completed")
            log.info(
                "pdf_rendered",
                document=name,
                ms=round((time.monotonic() - began) * 1000),
                bytes=len(payload),
            )
            return bytes(payload)
        finally:
            self._count(start=False)
            self._give_back(worker, keep=keep)

    def _bump(self, counter: str) -> None:
        with self._counters.lock:
            setattr(self._counters, counter, getattr(self._counters, counter) + 1)
        RENDERS.labels(outcome=_OUTCOMES[counter]).inc()

    def _count(self, *, start: bool) -> None:
        with self._counters.lock:
            self._counters.in_progress += 1 if start else -1
            if start:
                self._counters.started += 1
                self._counters.peak = max(self._counters.peak, self._counters.in_progress)
        if start:
            RENDERS_IN_PROGRESS.inc()
        else:
            RENDERS_IN_PROGRESS.dec()

    def _take_worker(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.poll() is None:
                    self._busy.add(worker)
                    return worker
                worker.kill()  # died while idle (killed from outside, say)
        worker = _Worker.start()
        with self._lock:
            if self._closed:
                worker.kill()
                raise RuntimeError("the renderer is shut down")
            self._busy.add(worker)
        return worker

    def _give_back(self, worker: _Worker, *, keep: bool, rendered: bool = True) -> None:
        worker.renders += rendered
        keep = keep and worker.renders < RENDERS_PER_WORKER and not self._closed
        with self._lock:
            self._busy.discard(worker)
            if keep:
                self._idle.append(worker)
        if not keep:
            worker.kill()

    def close(self) -> None:
        """Stop every worker (renders in progress fail) and refuse new renders."""
        self._closed = True
        with self._lock:
            workers = [*self._idle, *self._busy]
            self._idle.clear()
        for worker in workers:
            worker.kill()
        self._threads.shutdown(wait=False, cancel_futures=True)


_renderer: DocumentRenderer | None = None
_renderer_lock = threading.Lock()


def renderer() -> DocumentRenderer:
    """The process's renderer, made from ``DocumentSettings`` on first use."""
    global _renderer
    with _renderer_lock:
        if _renderer is None:
            settings = document_settings()
            _renderer = DocumentRenderer(
                renders=settings.document_renders, seconds=settings.document_render_seconds
            )
        return _renderer


def configure(settings: DocumentSettings | None = None) -> DocumentRenderer:
    """Replace the process's renderer with one made from ``settings`` (default: read the
    environment again); the old one's workers are stopped."""
    global _renderer
    settings = settings or DocumentSettings()
    with _renderer_lock:
        old, _renderer = (
            _renderer,
            DocumentRenderer(
                renders=settings.document_renders, seconds=settings.document_render_seconds
            ),
        )
    if old is not None:
        old.close()
    return _renderer


@atexit.register
def _stop_workers() -> None:
    if _renderer is not None:
        _renderer.close()


async def render_pdf(html: str, *, base_url: str | None = None, name: str = "PDF") -> bytes:
    """Render ``html`` to PDF in a worker process, at most ``ROOMLINE_DOCUMENT_RENDERS`` at
    once and within ``ROOMLINE_DOCUMENT_RENDER_SECONDS`` (``DocumentRenderTimedOut`` after)."""
    return await renderer().render(html, base_url=base_url, name=name)


def document_environment(templates: Path, *, service: str) -> Environment:
    """The Jinja2 of a service's documents (order sheets, statements, letters): strict about
    missing values, escaped, and with ``both(text)`` putting the Chinese and the English side
    by side from ``service``'s catalogs first, since a worker renders outside any request.
    Callers cache it and add their own filters and globals."""
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["both"] = partial(both, service=service)
    return env
