"""Every contracts route admits only the hotel-resources desk and its director: an agent gets
403 everywhere, even with a valid CSRF token and a valid body, and nothing changes."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from shared.auth import Role
from tests.services.contracts.helpers import API, counts, hotel_body, night, set_up_hotel
from tests.support.routes import api_routes, roles_of


def desk_routes() -> list[tuple[str, APIRoute]]:
    """The contracts service's own routes (not health, metrics, the shared API docs or the
    admins' events page every service has, which tests/shared/test_events_admin.py covers)."""
    from services.contracts.app import app

    shared = {"/healthz", "/readyz", "/metrics", "/api/docs", "/api/openapi.json"}
    kit = ("/admin/events", "/api/admin/events")
    return [
        (path, route)
        for path, route in api_routes(app.routes)
        if path not in shared and not path.startswith(kit)
    ]


# HR-9: the general manager approves staff stays on free rooms after the director.
FREE_ROOM_VIEWERS = frozenset({"hotel_resources", "resources_director", "general_manager"})
DESK = frozenset({"hotel_resources", "resources_director"})
# Channel-manager credentials: the director, or an admin (who also keeps staff logins).
CREDENTIAL_KEEPERS = frozenset({"resources_director", "admin"})


def allowed_roles(path: str) -> frozenset[str]:
    if path.startswith("/free-rooms"):
        return FREE_ROOM_VIEWERS
    if path.startswith(("/channel-managers", "/api/channel-managers")):
        return CREDENTIAL_KEEPERS
    return DESK


def test_every_contracts_route_is_for_the_desk_roles_only() -> None:
    routes = desk_routes()
    assert len(routes) >= 15
    for path, route in routes:
        allowed = allowed_roles(path)
        roles = roles_of(route)
        # Every route is for this desk (some, like approvals, for its director only).
        assert roles and roles <= allowed, path


@pytest.mark.parametrize("role", [Role.AGENT, Role.CONFIRMATION_DESK, Role.FINANCE])
async def test_other_desks_get_403_on_every_contracts_route_and_nothing_changes(
    login_as, sessionmaker, role: Role
) -> None:
    owner = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(owner)
    outsider = await login_as("outsider", role)
    before = await counts(sessionmaker)
    bodies = {
        "/api/hotels": hotel_body(),
        "/api/allotments": {
            "room_type_id": ids["room_type_id"],
            "first_night": night(0),
            "last_night": night(1),
            "rooms": 3,
        },
    }
    checked = 0
    for path, route in desk_routes():
        method = next(iter(route.methods - {"HEAD"}))
        concrete = "/contracts" + re.sub(r"\{hotel_id\}", ids["hotel_id"], path)
        body = bodies.get(path, {"name": "X"})
        as_json = await outsider.request_json(method, concrete, body)
        assert as_json.status_code == 403, f"{method} {path}: {as_json.status_code}"
        assert as_json.json()["error"] == "forbidden"
        if method == "POST":
            as_form = await outsider.post_form(concrete, {"name": "X", "rooms": "3"})
            assert as_form.status_code == 403 and "needs one of the roles" in as_form.text
        checked += 1
    assert checked >= 15
    assert await counts(sessionmaker) == before


async def test_resources_director_may_use_the_desk(login_as) -> None:
    director = await login_as("wu", Role.RESOURCES_DIRECTOR)
    assert (await director.page("/contracts/")).status_code == 200
    assert (await director.post_json(f"{API}/hotels", hotel_body())).status_code == 201
