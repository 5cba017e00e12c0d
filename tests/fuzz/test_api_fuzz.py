"""API fuzzing (issue 14): schemathesis generates requests for every operation of every
service's OpenAPI, valid and invalid, sends them to the all-in-one app on loopback logged in
with a role the operation admits, and holds every answer to: no 5xx, a status code the
operation documents, a body matching the documented schema.

Bounded for CI (``ROOMLINE_FUZZ_EXAMPLES``, default 20, derandomized); for a long run by hand
see tests/fuzz/harness.py and the README (``ROOMLINE_FUZZ_EXAMPLES=500 make fuzz``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
import uvicorn
from fastapi import FastAPI

from shared.auth import Role
from shared.embedded import free_port
from tests.fuzz.harness import (
    CHECKS,
    EXAMPLES,
    FuzzServer,
    fuzz_server,
    load_schema,
    login,
    pick_role,
    route_roles,
)
from tests.support.infra import INFRA
from workers.registry import MOUNTS, service_app

SERVICES = ("gateway", *MOUNTS)


@pytest.fixture(scope="module")
def fuzz() -> Iterator[FuzzServer]:
    with fuzz_server() as server:
        yield server
        summary = INFRA.tmp / "fuzz-statuses.txt"
        summary.write_text(server.summary() + "\n")
        print(f"\nfuzz: statuses per operation in {summary}")


def check_case(
    case: schemathesis.Case,
    session: requests.Session,
    base_url: str,
    log: Callable[[], str],
    *,
    relogin: Callable[[], requests.Session] | None = None,
) -> schemathesis.Response:
    """Send one generated request and run the checks; a failure carries the server's log."""
    try:
        response = case.call(base_url=base_url, session=session, timeout=60)
        if relogin is not None and response.status_code == 401:
            # Sessions live in Redis, and a test run beside this one may flush it: log in
            # again, once. A second 401 fails (401 is documented on every operation, so the
            # checks alone would let a lost session pass unnoticed).
            response = case.call(base_url=base_url, session=relogin(), timeout=60)
            assert response.status_code != 401, (
                f"{case.operation.label}: logged in, yet 401: {response.text[:300]}"
            )
        case.validate_response(response, checks=CHECKS)
        return response
    except Exception as exc:
        tail = log().strip()
        if tail:
            exc.add_note(f"server log meanwhile:\n{tail[-4000:]}")
        raise


def _service_test(name: str) -> Callable[..., None]:
    app: FastAPI = service_app(name)
    schema = load_schema(app)
    roles = route_roles(app)
    mount = MOUNTS.get(name, "")

    @schema.parametrize()
    def test(case: schemathesis.Case, fuzz: FuzzServer) -> None:
        key = (case.method.upper(), case.path)
        assert key in roles, f"{key}: in the OpenAPI but not among the app's routes"
        role: Role | None = pick_role(roles[key])
        session = fuzz.session_for(role)
        relogin = None if role is None else (lambda: fuzz.relogin(role))
        if role is not None and case.path.endswith("/logout"):

            def own_session() -> requests.Session:  # to be ended by the request
                return login(fuzz.base_url, f"fuzz_{role.value}")

            session, relogin = own_session(), own_session
        since = fuzz.log_size()
        response = check_case(
            case, session, fuzz.base_url + mount, lambda: fuzz.log_tail(since), relogin=relogin
        )
        fuzz.record(f"{case.method.upper()} {mount}{case.path}", case, response)

    test.__name__ = test.__qualname__ = f"test_fuzz_{name}"
    return test


test_fuzz_gateway = _service_test("gateway")
test_fuzz_contracts = _service_test("contracts")
test_fuzz_intake = _service_test("intake")
test_fuzz_confirmation = _service_test("confirmation")
test_fuzz_noshow = _service_test("noshow")
test_fuzz_payments = _service_test("payments")
test_fuzz_members = _service_test("members")
test_fuzz_metrics = _service_test("metrics")


def test_every_service_is_fuzzed() -> None:
    assert {n.removeprefix("test_fuzz_") for n in globals() if n.startswith("test_fuzz_")} == {
        *SERVICES
    }


def test_the_fuzzed_openapi_is_the_one_each_service_serves(fuzz: FuzzServer) -> None:
    """The schemas above come from the apps in this process; staff read them at
    /api/openapi.json of the running server, and they are the same."""
    session = fuzz.session_for(Role.ADMIN)
    for name in SERVICES:
        served = session.get(f"{fuzz.base_url}{MOUNTS.get(name, '')}/api/openapi.json", timeout=30)
        assert served.status_code == 200, (name, served.status_code)
        assert served.json() == service_app(name).openapi(), name
    anonymous = requests.get(f"{fuzz.base_url}/api/openapi.json", timeout=30)
    assert anonymous.status_code == 401


# --- The fuzz test fails on a 5xx: shown on a throwaway app with one crashing route ---------


def _throwaway_app() -> FastAPI:
    app = FastAPI()

    @app.get("/share")
    def share(word: str) -> dict[str, int]:
        return {"per_letter": 100 // len(word)}  # an empty word: ZeroDivisionError, a 500

    @app.get("/echo")
    def echo(word: str) -> dict[str, str]:
        return {"word": word}

    return app


@contextmanager
def _served(app: FastAPI) -> Iterator[str]:
    """``app`` under uvicorn on loopback, in a thread of this process."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _fuzz_one(schema: Any, path: str, base_url: str) -> None:
    operation = schema[path]["GET"]

    @hypothesis.given(case=operation.as_strategy())
    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        check_case(case, requests.Session(), base_url, lambda: "")

    run()


def test_a_server_error_fails_the_fuzz_test() -> None:
    app = _throwaway_app()
    schema = load_schema(app)
    with _served(app) as base_url:
        _fuzz_one(schema, "/echo", base_url)  # a sound route passes
        with pytest.raises(BaseException) as failed:
            _fuzz_one(schema, "/share", base_url)
    assert "Server error" in str(failed.value), str(failed.value)
    assert "500" in str(failed.value)
