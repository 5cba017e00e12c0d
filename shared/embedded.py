"""Project-local PostgreSQL and Redis for ``make run`` and ``make test`` when no URLs are set.

Uses the machine's own server binaries (Debian's ``postgresql`` and ``redis-server``
packages); ``make deps`` installs them when missing. PostgreSQL refuses to run as root, so
as root the cluster is owned by and run as the ``postgres`` system user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if candidates:
        return candidates[0]
    raise RuntimeError(
        f"{name} not found: install Debian's postgresql and redis-server packages "
        "(make deps does it), or set DATABASE_URL and REDIS_URL to servers you run."
    )


def _wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds}s")


class EmbeddedPostgres:
    def __init__(self, data_dir: Path, port: int, *, durable: bool = False) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        # Tests and make run trade durability for speed; benchmarks need production's fsync.
        self.durable = durable
        self._run_as = "postgres" if os.geteuid() == 0 else None

    def _cmd(self, *args: str) -> list[str]:
        return ["runuser", "-u", self._run_as, "--", *args] if self._run_as else list(args)

    def _chown(self, path: Path) -> None:
        if self._run_as:
            user = pwd.getpwnam(self._run_as)
            os.chown(path, user.pw_uid, user.pw_gid)

    def start(self) -> None:
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        if self._run_as:
            # runuser needs to traverse to the data dir; the parents are the project's folders.
            for parent in self.data_dir.parents:
                if parent == Path("/"):
                    break
                os.chmod(parent, os.stat(parent).st_mode | 0o011)
        if not (self.data_dir / "PG_VERSION").exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._chown(self.data_dir)
            subprocess.run(
                self._cmd(
                    find_binary("initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ),
                check=True,
                capture_output=True,
            )
        options = f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1"
        options += " -c fsync=on -c synchronous_commit=on" if self.durable else " -c fsync=off"
        subprocess.run(
            self._cmd(
                find_binary("pg_ctl"),
                "-D",
                str(self.data_dir),
                "-o",
                options,
                "-l",
                str(self.data_dir / "server.log"),
                "-w",
                "start",
            ),
            check=True,
            capture_output=True,
        )
        _wait_for_port(self.port)

    def stop(self) -> None:
        subprocess.run(
            self._cmd(find_binary("pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"),
            check=False,
            capture_output=True,
        )

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, database: str) -> None:
        subprocess.run(
            [
                find_binary("psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-c",
                f'CREATE DATABASE "{database}"',
            ],
            check=False,
            capture_output=True,
        )


class EmbeddedRedis:
    """A redis-server child process. AOF on: a queue must survive a restart (see README)."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                find_binary("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.data_dir),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--logfile",
                str(self.data_dir / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"
