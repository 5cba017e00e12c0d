"""Every contracts route admits only the hotel-resources desk and its director: an agent gets
403 everywhere, even with a valid CSRF token and a valid body, and nothing changes."""

from __future__ import annotations

import re

import pytest

from shared.access import KIT_ROUTES, split_key
from shared.auth import Role
from tests.services.contracts.helpers import API, counts, hotel_body, night, set_up_hotel
from tests.support.routes import route_keys


def desk_routes() -> list[tuple[str, str]]:
    """(method, path) of the contracts service's own routes (not the kit's every service has:
    health, metrics, API docs, events admin). Which roles each admits is in
    services/contracts/access.py, held to account by tests/shared/test_role_matrix.py."""
    from services.contracts.app import app

    return [split_key(key) for key in route_keys(app) if key not in KIT_ROUTES]


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
    for method, path in desk_routes():
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
