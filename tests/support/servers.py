"""Real server processes (``python -m workers.run``) for tests that need more than one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from shared.embedded import free_port
from tests.support.infra import INFRA

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def server_process(
    *,
    web: bool = True,
    workers: bool = True,
    relay: bool = True,
    services: str | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start ``workers.run`` with the chosen parts; yields (base URL, process)."""
    port = free_port()
    args = [sys.executable, "-m", "workers.run", "--port", str(port)]
    args += [] if web else ["--no-web"]
    args += [] if workers else ["--no-workers"]
    args += [] if relay else ["--no-relay"]
    args += ["--services", services] if services else []
    log_path = INFRA.tmp / f"server-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            args, cwd=ROOT, env={**INFRA.env(), **(env or {})}, stdout=log, stderr=subprocess.STDOUT
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        if web:
            _wait_ready(base_url, process, log_path)
        else:
            time.sleep(1.5)
        yield base_url, process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_ready(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not ready: {log_path.read_text()[-3000:]}")


def server_log(port_or_url: str) -> str:
    port = port_or_url.rsplit(":", 1)[-1]
    return (INFRA.tmp / f"server-{port}.log").read_text(errors="replace")


__all__ = ["ROOT", "os", "server_log", "server_process"]
