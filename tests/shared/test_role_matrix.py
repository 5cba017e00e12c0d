"""The role matrix (issue 14): every service's table of who may call each route
(``services/<name>/access.py``, rendered in docs/roles.md) is complete and true.

- every route of every service app has an entry, and every entry is a real route;
- each route's ``require(...)`` admits exactly the roles of its entry (none for PUBLIC ones);
- over HTTP, every route is called by every role and by someone not logged in: a role in the
  table is let in (any answer but 401 and 403), any other gets 403, anonymous callers get 401
  (a page: a redirect to the login form); a form post without the CSRF token is refused; and
  none of these calls changes a row (ids are fresh UUIDs, bodies invalid).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest
from argon2 import PasswordHasher

from shared import auth
from shared.access import is_public, split_key
from shared.auth import DESKS, Role
from tests.support.clients import StaffClient
from tests.support.routes import (
    UNSAFE_METHODS,
    api_routes,
    concrete_path,
    roles_of,
    route_keys,
    row_counts,
)
from workers.access import DOC, rendered, service_tables
from workers.registry import MOUNTS, service_app

TABLES = service_tables()
SERVICES = list(TABLES)
ROUTES_AT_ONCE = 4  # routes walked at once: the app answers them concurrently
LOGOUT = "POST /logout"


def mount_of(service: str) -> str:
    """Where the all-in-one app serves the service (the gateway at the root)."""
    return MOUNTS.get(service, "")


def test_docs_roles_md_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == rendered(), (
        "docs/roles.md differs from the services' access tables: "
        "run python -m workers.access --write"
    )


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_has_an_entry_and_every_entry_is_a_route(service: str) -> None:
    routes = set(route_keys(service_app(service)))
    table = set(TABLES[service])
    missing = sorted(routes - table)
    stale = sorted(table - routes)
    assert not missing, f"routes with no entry in services/{service}/access.py: {missing}"
    assert not stale, f"entries in services/{service}/access.py with no route: {stale}"


@pytest.mark.parametrize("service", SERVICES)
def test_each_route_requires_the_roles_of_its_entry(service: str) -> None:
    table = TABLES[service]
    wrong = []
    for key, route in route_keys(service_app(service)).items():
        if key not in table:
            continue  # the test above names it
        declared = roles_of(route)
        expected = None if is_public(table[key]) else frozenset(r.value for r in table[key])
        if declared != expected:
            found, wanted = sorted(declared or []), sorted(expected or [])
            wrong.append(f"{key}: require({found}), table {wanted}")
    assert not wrong, "routes whose require(...) is not their table entry:\n" + "\n".join(wrong)


def test_the_all_in_one_app_serves_only_the_services_routes() -> None:
    """Nothing reaches the all-in-one app but the services' routes, each under its mount."""
    from workers.web import app

    served = {
        f"{method} {path}"
        for path, route in api_routes(app.routes)
        for method in (route.methods or set()) - {"HEAD"}
    }
    covered = set()
    for service, table in TABLES.items():
        for key in table:
            method, path = split_key(key)
            covered.add(f"{method} {mount_of(service)}{path}")
    assert served == covered


def test_the_shell_offers_no_desk_its_page_refuses() -> None:
    for desk in DESKS:
        path = desk.path.removeprefix(mount_of(desk.service)) or "/"
        allowed = TABLES[desk.service][f"GET {path}"]
        assert desk.roles <= {r.value for r in allowed}, desk


def _batches(service: str) -> list[list[str]]:
    """The service's routes, a few at a time; logging out ends the callers' sessions, so
    POST /logout comes alone, last."""
    keys = [key for key in TABLES[service] if key != LOGOUT]
    batches = [keys[i : i + ROUTES_AT_ONCE] for i in range(0, len(keys), ROUTES_AT_ONCE)]
    return [*batches, [LOGOUT]] if LOGOUT in TABLES[service] else batches


def _refused_as_forbidden(response: httpx.Response) -> bool:
    return response.status_code == 403 and response.json().get("error") == "forbidden"


@pytest.fixture
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fast argon2 for the dozen logins each walk makes (each cost over a second on a busy
    CI machine). Who may call what does not depend on how passwords are hashed; the real
    parameters are what every other test logs in with."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


async def _check_route(
    key: str,
    url: str,
    allowed: frozenset[Role],
    anonymous: httpx.AsyncClient,
    staff: dict[Role, StaffClient],
) -> tuple[int, list[str]]:
    """Every caller on one route: (calls made, what went against the table)."""
    method = split_key(key)[0]
    public = is_public(allowed)
    wrong: list[str] = []

    # GET as it is; anything else with a JSON body no route takes (each wants an object or a
    # form), so a caller let in is answered 422 and changes nothing.
    body: list[object] | None = [] if method in UNSAFE_METHODS else None

    # Not logged in: JSON gets 401, a page the way to the login form; a public route lets in.
    # And a form post without the CSRF token, by someone the route admits, is refused.
    first: list[Awaitable[httpx.Response]] = [anonymous.request(method, url, json=body)]
    if not public:
        first.append(anonymous.request(method, url, headers={"accept": "text/html"}))
        if method in UNSAFE_METHODS:
            holder = staff[next(role for role in Role if role in allowed)]
            first.append(holder.http.request(method, url, data={"anything": "x"}))
    as_json, *others = await asyncio.gather(*first)
    if public and as_json.status_code in (401, 403):
        wrong.append(f"{key} anonymous: {as_json.status_code}, on a public route")
    if not public:
        page, *form = others
        if as_json.status_code != 401:
            wrong.append(f"{key} anonymous: {as_json.status_code}, not 401")
        if page.status_code != 303 or "/login" not in page.headers.get("location", ""):
            wrong.append(f"{key} anonymous page: {page.status_code}, not 303 to /login")
        if form and (
            form[0].status_code != 403 or "security token" not in form[0].json().get("detail", "")
        ):
            wrong.append(f"{key} without the CSRF token: {form[0].status_code}, not 403")

    # Each role, with its CSRF token: in the table, let in (any answer but 401 and 403);
    # not in it, 403. (After the checks above: POST /logout ends the session.)
    answers = await asyncio.gather(
        *(client.request_json(method, url, body) for client in staff.values())
    )
    for role, response in zip(staff, answers, strict=True):
        if role in allowed and response.status_code in (401, 403):
            wrong.append(f"{key} as {role.value}: {response.status_code}, in the table")
        elif role not in allowed and not _refused_as_forbidden(response):
            wrong.append(f"{key} as {role.value}: {response.status_code}, not 403")
    return len(first) + len(answers), wrong


@pytest.mark.usefixtures("cheap_password_hashes")
@pytest.mark.parametrize("service", SERVICES)
async def test_every_role_on_every_route(
    service: str,
    login_as: Callable[..., Awaitable[StaffClient]],
    http: Callable[[], Awaitable[httpx.AsyncClient]],
) -> None:
    staff = {role: await login_as(f"matrix_{role.value}", role) for role in Role}
    anonymous = await http()
    table = TABLES[service]
    before = await row_counts()
    wrong: list[str] = []
    calls = 0
    for batch in _batches(service):
        results = await asyncio.gather(
            *(
                _check_route(
                    key,
                    mount_of(service) + concrete_path(split_key(key)[1]),
                    table[key],
                    anonymous,
                    staff,
                )
                for key in batch
            )
        )
        for made, found in results:
            calls += made
            wrong += found
    changed = {
        name: (count, after)
        for name, after in (await row_counts()).items()
        if (count := before.get(name)) != after
    }
    assert not wrong, f"{len(wrong)} of {calls} calls against the table:\n" + "\n".join(wrong)
    assert not changed, f"tables changed by calls that must change nothing: {changed}"
