"""Bounded input at the gateway (issue 14): staff forms and their API twins refuse what is too
long, a control character, too many roles or an id no column holds with a 422 naming the
field (a readable page for the forms), never a 500, and nothing is written; ``next`` after
login is a bounded path on this site."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from services.gateway.schemas import NewStaff, PasswordReset, RolesChange
from shared.auth import Role
from tests.services.gateway.support import user_id
from tests.shared.test_input_bounds import unbounded_fields

GOOD = {
    "username": "dora",
    "display_name": "Dora Li",
    "password": "long-enough-pass",
    "roles": ["agent"],
}


async def _staff_count(sessionmaker) -> int:
    async with sessionmaker() as session:
        found = await session.scalar(text("SELECT count(*) FROM gateway.staff_user"))
        return int(found or 0)


@pytest.fixture
async def admin(login_as) -> Any:
    return await login_as("root", Role.ADMIN)


def test_every_field_of_the_gateway_api_has_a_bound() -> None:
    # The events admin routes come from shared.events.admin, bounded there.
    found = [f for f in unbounded_fields("gateway") if "/admin/events/" not in f]
    assert found == []


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"username": "d" * 65}, "username"),
        ({"display_name": "D" * 121}, "display_name"),
        ({"display_name": "Dora\x00Li"}, "display_name"),
        ({"password": "p" * 257}, "password"),
        ({"roles": ["agent"] * (len(Role) + 1)}, "roles"),
        ({"roles": ["x" * 65]}, "roles.0"),
    ],
)
async def test_the_new_account_form_refuses_unbounded_input_naming_the_field(
    admin, sessionmaker, override: dict[str, Any], field: str
) -> None:
    before = await _staff_count(sessionmaker)
    page = await admin.post_form("/admin/staff", {**GOOD, **override})
    assert page.status_code == 422, page.text
    assert page.headers["content-type"].startswith("text/html")
    # Too long: the field by name; a control character: the input guard's page (field as sent).
    named = f"{field.split('.')[0].replace('_', ' ').capitalize()}: "
    assert named in page.text or f"{field}: " in page.text
    assert await _staff_count(sessionmaker) == before


async def test_a_valid_account_with_every_role_is_still_created(admin, sessionmaker) -> None:
    before = await _staff_count(sessionmaker)
    every = {**GOOD, "username": "d" * 64, "roles": [role.value for role in Role]}
    created = await admin.post_form("/admin/staff", every, follow_redirects=False)
    assert created.status_code == 303, created.text
    assert await _staff_count(sessionmaker) == before + 1


async def test_a_user_id_no_column_holds_is_422_not_500(admin) -> None:
    for path in ("deactivate", "activate"):
        api = await admin.post_json(f"/api/staff/{10**20}/{path}", {})
        assert api.status_code == 422, api.text
        assert api.json()["fields"][0]["field"] == "user_id"
    page = await admin.post_form(f"/admin/staff/{2**63}/deactivate", {})
    assert page.status_code == 422 and "User id: " in page.text
    zero = await admin.request_json("PUT", "/api/staff/0/roles", {"roles": ["agent"]})
    assert zero.status_code == 422 and zero.json()["fields"][0]["field"] == "user_id"


async def test_staff_forms_refuse_over_long_or_hostile_fields(admin, sessionmaker) -> None:
    ana = await _new_agent(admin, sessionmaker)
    roles = await admin.request_json(
        "PUT", f"/api/staff/{ana}/roles", {"roles": ["agent"] * (len(Role) + 1)}
    )
    assert roles.status_code == 422 and roles.json()["fields"][0]["field"] == "roles"
    password = await admin.post_form(f"/admin/staff/{ana}/password", {"password": "p" * 257})
    assert password.status_code == 422 and "Password: " in password.text
    lockout = await admin.post_form(
        "/admin/staff/lockouts/clear", {"scope": "login\x00", "identity": "ana"}
    )
    assert lockout.status_code == 422 and "scope: " in lockout.text
    identity = await admin.post_form(
        "/admin/staff/lockouts/clear", {"scope": "login", "identity": "i" * 201}
    )
    assert identity.status_code == 422 and "Identity: " in identity.text


async def _new_agent(admin: Any, sessionmaker: Any) -> int:
    created = await admin.post_form("/admin/staff", GOOD, follow_redirects=False)
    assert created.status_code == 303, created.text
    return await user_id(admin, GOOD["username"])


async def test_next_after_login_is_a_bounded_path_on_this_site(http) -> None:
    client = await http()
    too_long = await client.get("/login", params={"next": "/" + "a" * 500})
    assert too_long.status_code == 422
    hostile = await client.get("/login", params={"next": "/intake/\x00"})
    assert hostile.status_code == 422
    for foreign in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
        page = await client.get("/login", params={"next": foreign})
        assert page.status_code == 200
        assert 'name="next" value="/"' in page.text, foreign
    kept = await client.get("/login", params={"next": "/intake/"})
    assert 'name="next" value="/intake/"' in kept.text


@pytest.mark.parametrize(
    ("model", "data", "field"),
    [
        (NewStaff, {**GOOD, "display_name": "a\x07b"}, "display_name"),
        (NewStaff, {**GOOD, "username": "u" * 65}, "username"),
        (NewStaff, {**GOOD, "roles": ["agent"] * (len(Role) + 1)}, "roles"),
        (RolesChange, {"roles": ["agent"] * (len(Role) + 1)}, "roles"),
        (PasswordReset, {"password": "p" * 257}, "password"),
        (PasswordReset, {"password": "short"}, "password"),
    ],
)
def test_the_types_refuse_by_themselves(model: Any, data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(data)
    assert refused.value.errors()[0]["loc"][0] == field
