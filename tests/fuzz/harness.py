"""What the API fuzz test runs on: the all-in-one app under uvicorn on loopback (the real
PostgreSQL and Redis of the run), one logged-in ``requests`` session per role, each service's
OpenAPI loaded from its app, and the checks every generated request is held to.

Knobs (environment):

- ``ROOMLINE_FUZZ_EXAMPLES`` (default 20): generated requests per operation, valid and
  invalid together (plus the OpenAPI's own examples, and any shrinking of a failure).
- ``ROOMLINE_FUZZ_SEED``: unset, the run is derandomized (the same requests every run, as CI
  needs); set, that seed drives a random run, so a long run by hand explores new ground.
- ``ROOMLINE_FUZZ_COVERAGE`` (default off): also run schemathesis' coverage phase (boundary
  and just-invalid values of every parameter; many more requests per operation).
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import schemathesis
from fastapi import FastAPI
from fastapi.routing import APIRoute
from redis import Redis
from schemathesis.checks import (  # type: ignore[attr-defined]
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from shared.auth import Role
from shared.embedded import free_port
from tests.support.infra import INFRA
from tests.support.routes import api_routes, roles_of

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("ROOMLINE_FUZZ_EXAMPLES", "20"))
SEED = os.environ.get("ROOMLINE_FUZZ_SEED")
COVERAGE = os.environ.get("ROOMLINE_FUZZ_COVERAGE", "") not in ("", "0", "false")
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
# Fuzz users' ids start here, so a generated id (small, or a boundary) never deactivates,
# re-roles or re-passwords one of them and so ends the sessions the run depends on.
FIRST_STAFF_ID = 900_000_000

_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
_META_CSRF_RE = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


def fuzz_config() -> schemathesis.Config:
    generation: dict[str, Any] = {"max-examples": EXAMPLES, "mode": "all", "database": "none"}
    config: dict[str, Any] = {
        "generation": generation,
        "phases": {
            "coverage": {"enabled": COVERAGE},
            "stateful": {"enabled": False},
        },
        "suppress-health-check": ["all"],
    }
    if SEED:
        config["seed"] = int(SEED)
    else:
        generation["deterministic"] = True
    return schemathesis.Config.from_dict(config)


def load_schema(app: FastAPI) -> Any:
    """The app's own OpenAPI document (the one it serves at /api/openapi.json to staff)."""
    return schemathesis.openapi.from_dict(app.openapi(), config=fuzz_config())


def route_roles(app: FastAPI) -> dict[tuple[str, str], frozenset[str] | None]:
    """(METHOD, path as in the OpenAPI) → the roles its ``require(...)`` admits."""
    found: dict[tuple[str, str], frozenset[str] | None] = {}
    for path, route in api_routes(app.routes):
        if isinstance(route, APIRoute):
            for method in route.methods:
                found[(method.upper(), path)] = roles_of(route)
    return found


def pick_role(roles: frozenset[str] | None) -> Role | None:
    """A role the route admits (the first in Role's order); None for a public route."""
    if not roles:
        return None
    return next(role for role in Role if role.value in roles)


# --- The server and its logins ------------------------------------------------------------------


def _password(username: str) -> str:
    return f"fuzz-{username}-password"


def login(base_url: str, username: str) -> requests.Session:
    """A session logged in as ``username``, sending its CSRF token on every request."""
    session = requests.Session()
    form = session.get(f"{base_url}/login", timeout=30)
    token = _CSRF_RE.search(form.text)
    assert token, "login form has no CSRF token"
    answer = session.post(
        f"{base_url}/login",
        data={
            "username": username,
            "password": _password(username),
            "csrf_token": token.group(1),
            "next": "/",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 303, f"login of {username}: {answer.status_code} {answer.text}"
    shell = session.get(f"{base_url}/", headers={"accept": "text/html"}, timeout=30)
    meta = _META_CSRF_RE.search(shell.text)
    assert meta and meta.group(1), "shell page has no CSRF token"
    session.headers["x-csrf-token"] = meta.group(1)
    return session


async def _prepare_database() -> None:
    """Empty tables and Redis (once: the fuzz run keeps what it made), then one user a role."""
    from shared.db import make_engine, make_sessionmaker, unit_of_work
    from tests.conftest import _empty_all_tables
    from tests.support.clients import create_user

    await _empty_all_tables()
    with Redis.from_url(INFRA.redis_url) as redis:
        redis.flushdb()
    engine = make_engine(INFRA.database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            from sqlalchemy import text

            await conn.execute(
                text("SELECT setval(pg_get_serial_sequence('gateway.staff_user', 'user_id'), :n)"),
                {"n": FIRST_STAFF_ID},
            )
        async with unit_of_work(make_sessionmaker(engine)) as session:
            for role in Role:
                await create_user(session, f"fuzz_{role.value}", role)
    finally:
        await engine.dispose()


@dataclass
class FuzzServer:
    base_url: str
    log_path: Path
    sessions: dict[Role, requests.Session] = field(default_factory=dict)
    anonymous: requests.Session = field(default_factory=requests.Session)
    # "GET /intake/api/bookings" → how often each (mode, status) came back, and the first
    # refusal of a request valid by the schema, for the run's summary.
    statuses: dict[str, Counter[tuple[str, int]]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    refused: dict[str, str] = field(default_factory=dict)

    def record(self, label: str, case: schemathesis.Case, response: Any) -> None:
        mode = str(case.meta.generation.mode.value) if case.meta else "explicit"
        self.statuses[label][(mode, response.status_code)] += 1
        if mode == "positive" and response.status_code == 422 and label not in self.refused:
            self.refused[label] = response.text[:300]

    def summary(self) -> str:
        """One line an operation: its statuses by mode, so an operation that only ever met
        422s or 404s shows as such, with the first refusal of a schema-valid request."""
        lines = []
        for label, seen in sorted(self.statuses.items()):
            counts = ", ".join(f"{mode} {status}×{n}" for (mode, status), n in sorted(seen.items()))
            refused = f"\n    refused valid: {self.refused[label]}" if label in self.refused else ""
            lines.append(f"{label}: {counts}{refused}")
        return "\n".join(lines)

    def session_for(self, role: Role | None) -> requests.Session:
        if role is None:
            return self.anonymous
        if role not in self.sessions:
            self.sessions[role] = login(self.base_url, f"fuzz_{role.value}")
        return self.sessions[role]

    def relogin(self, role: Role) -> requests.Session:
        self.sessions.pop(role, None)
        return self.session_for(role)

    def log_tail(self, since: int) -> str:
        """What the server logged after byte ``since`` (tracebacks of 5xx answers)."""
        with open(self.log_path, "rb") as log:
            log.seek(since)
            return log.read().decode(errors="replace")

    def log_size(self) -> int:
        return self.log_path.stat().st_size


@contextmanager
def fuzz_server() -> Iterator[FuzzServer]:
    """``uvicorn workers.web:app`` on loopback, joined to this run's PostgreSQL and Redis."""
    from tests.support import clients

    # create_user names the password by the tests' scheme; the fuzz users use their own.
    original = clients.password_for
    clients.password_for = _password
    try:
        asyncio.run(_prepare_database())
    finally:
        clients.password_for = original
    port = free_port()
    log_path = INFRA.tmp / f"fuzz-server-{port}.log"
    env = {
        **INFRA.env(),
        # The fuzzer's failed logins (POST /login with made-up names) must not lock the
        # address out of the logins the run itself needs.
        "ROOMLINE_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000000",
        "ROOMLINE_LOGIN_MAX_FAILURES": "1000000",
    }
    args = [sys.executable, "-m", "uvicorn", "workers.web:app", "--host", "127.0.0.1"]
    args += ["--port", str(port), "--no-access-log", "--lifespan", "on"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url, process, log_path)
        yield FuzzServer(base_url, log_path)
    finally:
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
            if requests.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not ready: {log_path.read_text()[-3000:]}")
