"""The night-audit JSON API (NS-1) with a machine credential from the kit
(shared.machine_credentials, as contracts' channel managers): a hotel's system sends its
check-ins with HTTP Basic; a missing, wrong or revoked credential gets 401 with a Basic
challenge, a hotel outside its scope gets 403, a bad row refuses the whole call (422 naming
the row); nothing changes in any of these. And the desk's one-booking form."""

from __future__ import annotations

import base64
import re
from html import unescape

from sqlalchemy import text

from shared.auth import Role
from tests.services.noshow.night_audit_support import (
    API,
    HOTEL_A,
    HOTEL_B,
    add_bookings,
    check_ins,
    count_check_ins,
    imports,
)

CREDENTIALS = "/noshow/audit-credentials"


def basic(name: str, secret: str) -> dict[str, str]:
    token = base64.b64encode(f"{name}:{secret}".encode()).decode()
    return {"authorization": f"Basic {token}"}


async def create_credential(lead, name: str, hotel_ids: str = "", all_hotels: bool = False):
    form = {"name": name, "hotel_ids": hotel_ids, **({"all_hotels": "on"} if all_hotels else {})}
    page = await lead.post_form(CREDENTIALS, form)
    assert page.status_code == 201, page.text
    assert page.headers["cache-control"] == "no-store"
    found = re.search(r'id="new-secret" readonly size="50" value="([^"]+)"', page.text)
    assert found, page.text
    return name, unescape(found.group(1))


ROWS_A = {
    "hotel_id": str(HOTEL_A),
    "rows": [
        {"booking_ref": "RL-A1", "status": "checked in", "nights": 2},
        {"booking_ref": "RL-A2", "status": "未到", "arrival": "2026-12-05"},
    ],
}


async def test_ns1_a_hotel_sends_its_night_audit_with_its_credential(
    login_as, http, sessionmaker
) -> None:
    await add_bookings(sessionmaker)
    lead = await login_as("tom", Role.TEAM_LEAD)
    credential = await create_credential(lead, "JinjiangPMS", hotel_ids=str(HOTEL_A))
    machine = await http()  # no cookie, no CSRF token: only the credential

    response = await machine.post(API, json=ROWS_A, headers=basic(*credential))

    assert response.status_code == 200, response.text
    assert response.json()["recorded"] == 2
    assert await check_ins(sessionmaker) == {
        "RL-A1": (True, "api:JinjiangPMS"),
        "RL-A2": (False, "api:JinjiangPMS"),
    }
    async with sessionmaker() as session:
        stored = await session.scalar(text("SELECT secret_hash FROM noshow.audit_credential"))
    assert stored.startswith("$argon2") and credential[1] not in stored


async def test_ns1_a_wrong_missing_or_revoked_credential_gets_401_and_changes_nothing(
    login_as, http, sessionmaker
) -> None:
    await add_bookings(sessionmaker)
    lead = await login_as("tom", Role.TEAM_LEAD)
    name, secret = await create_credential(lead, "JinjiangPMS", hotel_ids=str(HOTEL_A))
    machine = await http()

    wrong = await machine.post(API, json=ROWS_A, headers=basic(name, secret + "x"))
    unknown = await machine.post(API, json=ROWS_A, headers=basic("Nobody", secret))
    missing = await machine.post(API, json=ROWS_A)
    async with sessionmaker() as session:
        credential_id = await session.scalar(
            text("SELECT credential_id FROM noshow.audit_credential")
        )
    revoked = await lead.post_form(f"{CREDENTIALS}/{credential_id}/revoke", {})
    after_revoke = await machine.post(API, json=ROWS_A, headers=basic(name, secret))

    assert revoked.status_code == 303
    for refused in (wrong, unknown, missing, after_revoke):
        assert refused.status_code == 401, refused.text
        assert refused.headers["www-authenticate"].startswith("Basic")
    assert await count_check_ins(sessionmaker) == 0


async def test_ns1_a_credential_may_send_only_its_hotels(login_as, http, sessionmaker) -> None:
    await add_bookings(sessionmaker)
    lead = await login_as("tom", Role.TEAM_LEAD)
    credential = await create_credential(lead, "JinjiangPMS", hotel_ids=str(HOTEL_A))
    machine = await http()

    other_hotel = {"hotel_id": str(HOTEL_B), "rows": [{"booking_ref": "RL-B1", "status": "stayed"}]}
    named = await machine.post(API, json=other_hotel, headers=basic(*credential))
    unnamed = {"rows": [{"booking_ref": "RL-A1", "status": "stayed"}, *other_hotel["rows"]]}
    slipped_in = await machine.post(API, json=unnamed, headers=basic(*credential))

    assert named.status_code == 403, named.text
    assert slipped_in.status_code == 422, slipped_in.text
    assert [(r["row"], r["field"]) for r in slipped_in.json()["rows"]] == [(2, "booking_ref")]
    assert await count_check_ins(sessionmaker) == 0
    [refused] = await imports(sessionmaker)
    assert (refused.source, refused.state, refused.imported_by) == (
        "api",
        "refused",
        "api:JinjiangPMS",
    )


async def test_ns1_an_unknown_booking_or_malformed_date_refuses_the_whole_call(
    login_as, http, sessionmaker
) -> None:
    await add_bookings(sessionmaker)
    lead = await login_as("tom", Role.TEAM_LEAD)
    credential = await create_credential(lead, "AllHotels", all_hotels=True)
    machine = await http()
    body = {
        "rows": [
            {"booking_ref": "RL-A1", "status": "stayed"},
            {"booking_ref": "RL-NOPE", "status": "stayed"},
            {"booking_ref": "RL-B1", "status": "stayed", "arrival": "2026-13-40"},
        ]
    }

    response = await machine.post(API, json=body, headers=basic(*credential))

    assert response.status_code == 422
    rows = response.json()["rows"]
    assert [(r["row"], r["field"]) for r in rows] == [(2, "booking_ref"), (3, "arrival")]
    assert await count_check_ins(sessionmaker) == 0


async def test_ns1_only_an_admin_or_the_desk_lead_keeps_credentials(login_as, sessionmaker) -> None:
    desk = await login_as("nina", Role.NOSHOW_DESK)
    agent = await login_as("ana", Role.AGENT)
    admin = await login_as("ada", Role.ADMIN)

    assert (await desk.page(CREDENTIALS)).status_code == 403
    assert (
        await agent.post_form(CREDENTIALS, {"name": "X1", "all_hotels": "on"})
    ).status_code == 403
    assert (await admin.page(CREDENTIALS)).status_code == 200
    unknown_hotel = await admin.post_form(CREDENTIALS, {"name": "X1", "hotel_ids": str(HOTEL_A)})
    assert unknown_hotel.status_code == 422  # no booking nor contract of that hotel known
    async with sessionmaker() as session:
        assert await session.scalar(text("SELECT count(*) FROM noshow.audit_credential")) == 0


async def test_ns1_the_desk_types_the_hotels_word_on_one_booking(login_as, sessionmaker) -> None:
    await add_bookings(sessionmaker)
    desk = await login_as("nina", Role.NOSHOW_DESK)

    done = await desk.post_form(
        "/noshow/check-ins",
        {"booking_ref": "RL-A1", "status": "stayed", "nights": "2", "next": "/"},
    )
    refused = await desk.post_form(
        "/noshow/check-ins", {"booking_ref": "RL-A2", "status": "perhaps", "next": "/"}
    )

    assert done.status_code == 303 and done.headers["location"] == "/noshow/"
    assert refused.status_code == 422 and "unknown status" in refused.text
    assert await check_ins(sessionmaker) == {"RL-A1": (True, "nina")}
