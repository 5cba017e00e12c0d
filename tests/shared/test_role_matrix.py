"""Every route declares its roles: anonymous callers are sent to log in, wrong roles get 403,
form posts without the CSRF token are refused, and none of these changes anything."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import asyncpg
import pytest

from migrations import SERVICES
from shared.auth import Role
from tests.support.infra import INFRA
from tests.support.routes import api_routes, roles_of

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/login"),
    ("POST", "/login"),
}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    roles: frozenset[str] | None

    def concrete_path(self) -> str:
        # Any syntactically valid id: a wrong role must be refused before the id is looked up.
        return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), self.path)


def all_endpoints() -> list[Endpoint]:
    from workers.web import app

    return [
        Endpoint(method, path, roles_of(route))
        for path, route in api_routes(app.routes)
        for method in sorted(route.methods - {"HEAD"})
    ]


def _is_public(endpoint: Endpoint) -> bool:
    tail = endpoint.path.rsplit("/", 1)[-1]
    return (endpoint.method, "/" + tail) in PUBLIC and endpoint.path.count("/") <= 2


PROTECTED = [e for e in all_endpoints() if not _is_public(e)]
UNSAFE = [e for e in PROTECTED if e.method in {"POST", "PUT", "PATCH", "DELETE"}]


def test_every_non_public_route_declares_roles() -> None:
    undeclared = [f"{e.method} {e.path}" for e in PROTECTED if not e.roles]
    assert not undeclared, f"routes without require(...): {undeclared}"
    assert len(PROTECTED) >= 10


async def _row_counts() -> dict[str, int]:
    conn = await asyncpg.connect(INFRA.database_url.replace("+asyncpg", ""))
    try:
        tables = await conn.fetch(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY($1::text[])",
            list(SERVICES),
        )
        counts = {}
        for row in tables:
            name = f'"{row["schemaname"]}"."{row["tablename"]}"'
            counts[name] = await conn.fetchval(f"SELECT count(*) FROM {name}")
        return counts
    finally:
        await conn.close()


async def test_anonymous_callers_are_refused_everywhere(http) -> None:
    client = await http()
    before = await _row_counts()
    for endpoint in PROTECTED:
        response = await client.request(endpoint.method, endpoint.concrete_path(), json={})
        assert response.status_code == 401, f"{endpoint}: {response.status_code}"
        page = await client.request(
            endpoint.method, endpoint.concrete_path(), headers={"accept": "text/html"}
        )
        assert page.status_code == 303 and "/login" in page.headers["location"], endpoint
    assert await _row_counts() == before


def _wrong_role(roles: frozenset[str]) -> Role | None:
    return next((r for r in Role if r.value not in roles), None)


async def test_wrong_role_gets_403_and_changes_nothing(login_as) -> None:
    clients: dict[Role, object] = {}
    for role in Role:
        clients[role] = await login_as(f"user_{role.value}", role)
    before = await _row_counts()
    checked = 0
    for endpoint in PROTECTED:
        wrong = _wrong_role(endpoint.roles or frozenset())
        if wrong is None:  # a route every role may use (the shell, logout, docs)
            continue
        client = clients[wrong]
        response = await client.request_json(endpoint.method, endpoint.concrete_path(), {})
        assert response.status_code == 403, f"{endpoint} as {wrong}: {response.status_code}"
        assert response.json()["error"] == "forbidden"
        checked += 1
    assert checked >= 5
    assert await _row_counts() == before


@pytest.mark.parametrize("endpoint", UNSAFE, ids=lambda e: f"{e.method} {e.path}")
async def test_form_post_without_csrf_token_is_refused(login_as, endpoint: Endpoint) -> None:
    right_role = next(r for r in Role if r.value in (endpoint.roles or {r.value for r in Role}))
    client = await login_as("holder", right_role)
    before = await _row_counts()
    response = await client.http.request(
        endpoint.method, endpoint.concrete_path(), data={"anything": "x"}
    )
    assert response.status_code == 403, f"{endpoint}: {response.status_code}"
    assert "security token" in response.json()["detail"]
    assert await _row_counts() == before
