"""Each person lands on their own desk, and the menu of every role lists every desk page that
role may use, each of which opens for them (issue 15)."""

from __future__ import annotations

import re

import pytest

from shared.auth import DESKS, Role, Staff, desks_for, landing_path
from tests.support.clients import StaffClient, password_for

MENU_LINK = re.compile(r'<nav aria-label="[^"]*">(.*?)</nav>', re.S)


def staff_with(role: Role) -> Staff:
    return Staff(1, "x", "X", (role.value,), "csrf")


@pytest.mark.parametrize("role", list(Role))
async def test_a_person_lands_on_their_desk_and_every_menu_page_opens(
    role: Role, login_as, http
) -> None:
    client = await login_as(f"p-{role.value}", role)
    expected = [desk.path for desk in desks_for(staff_with(role))]
    assert expected, f"{role} has no desk in the menu"

    fresh = StaffClient(await http())
    page = await fresh.http.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    login = await fresh.http.post(
        "/login",
        data={
            "username": f"p-{role.value}",
            "password": password_for(f"p-{role.value}"),
            "csrf_token": token.group(1),
            "next": "/",
        },
    )
    assert login.status_code == 303
    assert login.headers["location"] == landing_path(staff_with(role)) == expected[0]

    shell = await client.page("/")
    menu = MENU_LINK.search(shell.text)
    assert menu, "the top bar has no menu"
    links = re.findall(r'href="([^"]+)"', menu.group(1))
    assert links == expected
    for path in links:
        response = await client.page(path)
        assert response.status_code == 200, f"{role}: {path} answers {response.status_code}"


def test_every_desk_is_some_roles_landing_or_menu_entry() -> None:
    offered = {d.path for role in Role for d in desks_for(staff_with(role))}
    assert offered == {d.path for d in DESKS}
