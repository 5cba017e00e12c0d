"""Failed logins are throttled per account and per client address (shared.throttle): past the
limit every attempt is refused, the right password too, until the window lapses or an admin
clears it; nobody else is affected. Channel managers' Basic auth and the telephony token
likewise."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from shared.auth import Role
from tests.services.contracts.ota_support import AVAIL, send_as_channel
from tests.services.gateway.support import attempt, make_user
from tests.support.clients import password_for
from workers.registry import service_app

TOO_MANY = "尝试次数过多"


async def test_the_sixth_login_after_five_wrong_passwords_is_refused_even_when_right(
    http, sessionmaker
) -> None:
    await make_user(sessionmaker, "ana", Role.AGENT)
    await make_user(sessionmaker, "bo", Role.AGENT)
    client = await http()
    for _ in range(5):
        wrong = await attempt(client, "ana", "not-her-password")
        assert wrong.status_code == 401 and "wrong password" in wrong.text

    right = await attempt(client, "ana", password_for("ana"))

    assert right.status_code == 429
    assert TOO_MANY in right.text and "Too many attempts; try again in" in right.text
    assert 0 < int(right.headers["retry-after"]) <= 60
    assert "roomline_session" not in right.cookies
    # Someone else, from the same address, logs in as usual.
    assert (await attempt(await http(), "bo", password_for("bo"))).status_code == 303


async def test_an_admin_clears_a_lockout_and_the_right_password_works_again(
    http, sessionmaker, login_as
) -> None:
    await make_user(sessionmaker, "ana", Role.AGENT)
    client = await http()
    for _ in range(5):
        await attempt(client, "ana", "not-her-password")
    assert (await attempt(client, "ana", password_for("ana"))).status_code == 429
    admin = await login_as("root", Role.ADMIN)

    page = await admin.page("/admin/staff")
    assert page.status_code == 200 and 'name="identity" value="ana"' in page.text
    assert (await admin.get("/api/staff/lockouts")).json()[0]["identity"] == "ana"
    cleared = await admin.post_form(
        "/admin/staff/lockouts/clear", {"scope": "account", "identity": "ana"}
    )

    assert cleared.status_code == 303
    assert (await attempt(client, "ana", password_for("ana"))).status_code == 303
    assert (await admin.get("/api/staff/lockouts")).json() == []
    async with sessionmaker() as session:
        actions = await session.scalars(
            text("SELECT actor FROM gateway.audit_log WHERE action = 'clear_lockout'")
        )
        assert list(actions) == ["root"]


async def test_a_success_does_not_reset_the_count_of_failures(http, sessionmaker) -> None:
    await make_user(sessionmaker, "ana", Role.AGENT)
    client = await http()
    for _ in range(4):
        await attempt(client, "ana", "not-her-password")
    assert (await attempt(client, "ana", password_for("ana"))).status_code == 303
    await attempt(client, "ana", "not-her-password")  # the fifth failure in the window
    assert (await attempt(client, "ana", password_for("ana"))).status_code == 429


async def test_one_address_failing_on_many_accounts_is_locked_out(
    http, sessionmaker, web_app, monkeypatch
) -> None:
    monkeypatch.setattr(web_app.state.settings, "login_max_failures_per_address", 3)
    await make_user(sessionmaker, "ana", Role.AGENT)
    client = await http()
    for name in ("x1", "x2", "x3"):
        assert (await attempt(client, name, "guess-guess-guess")).status_code == 401

    refused = await attempt(client, "ana", password_for("ana"))

    assert refused.status_code == 429 and TOO_MANY in refused.text


async def test_channel_manager_basic_auth_is_throttled(login_as, http) -> None:
    director = await login_as("dora", Role.RESOURCES_DIRECTOR)
    created = await director.post_json(
        "/contracts/api/channel-managers", {"name": "SiteLink", "all_hotels": True}
    )
    assert created.status_code == 201, created.text
    secret = created.json()["secret"]
    machine = await http()
    for _ in range(5):
        wrong = await send_as_channel(machine, AVAIL, b"<x/>", ("SiteLink", "wrong-secret"))
        assert wrong.status_code == 401

    right = await send_as_channel(machine, AVAIL, b"<x/>", ("SiteLink", secret))

    assert right.status_code == 429 and TOO_MANY in right.text
    assert int(right.headers["retry-after"]) > 0


@pytest.fixture
def telephony_token(monkeypatch) -> str:
    monkeypatch.setattr(service_app("metrics").state.settings, "telephony_token", "tel-secret-1")
    return "tel-secret-1"


async def test_the_telephony_webhook_token_is_throttled(http, telephony_token) -> None:
    client = await http()
    body = {"source": "avaya-hq", "events": []}

    async def post(token: str) -> int:
        headers = {"authorization": f"Bearer {token}"}
        return (await client.post("/sla/api/call-events", json=body, headers=headers)).status_code

    assert [await post("wrong-token") for _ in range(5)] == [401] * 5
    assert await post(telephony_token) == 429
