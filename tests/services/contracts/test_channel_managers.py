"""Channel-manager credentials (HR-2): a director creates a machine credential for named hotels;
the channel manager sends OTA messages with HTTP Basic, without a session or CSRF token; its
changes are audited as ``channel:<name>``; a wrong or revoked credential gets 401 with a Basic
challenge, another hotel gets Errors, and nothing changes in either case."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from sqlalchemy import text

from shared.auth import Role
from tests.services.contracts.helpers import allotments, set_up_hotel
from tests.services.contracts.ota_support import (
    AVAIL,
    OTA,
    RATE_PLANS,
    answer,
    audit_actors,
    error_texts,
    grid_counts,
    send_as_channel,
    succeeded,
)
from tests.services.contracts.test_imports import filled

API = "/contracts/api/channel-managers"
PAGE = "/contracts/channel-managers"


async def create_credential(director: Any, name: str, **scope: Any) -> tuple[str, str]:
    """Create a credential through the API; returns (name, secret) for HTTP Basic."""
    response = await director.post_json(API, {"name": name, **scope})
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    return name, response.json()["secret"]


async def test_hr2_director_creates_a_credential_and_the_channel_manager_updates_the_grid(
    login_as, http, sessionmaker
) -> None:
    director = await login_as("dora", Role.RESOURCES_DIRECTOR)
    ids = await set_up_hotel(director)
    credential = await create_credential(director, "SiteLink", hotel_ids=[ids["hotel_id"]])
    machine = await http()  # no cookie, no CSRF token: only the credential

    response = await send_as_channel(machine, AVAIL, filled("ota_avail_ok.xml", ids), credential)
    rates = await send_as_channel(
        machine, RATE_PLANS, filled("ota_rateplan_ok.xml", ids), credential
    )

    assert response.status_code == 200 and succeeded(response), response.text
    assert rates.status_code == 200 and succeeded(rates), rates.text
    assert list((await allotments(sessionmaker, ids["room_type_id"])).values()) == [6, 6, 6, 0]
    actions = ("set_allotment", "set_restrictions", "set_rates")
    assert set(await audit_actors(sessionmaker, *actions)) == {"channel:SiteLink"}


async def test_hr2_the_secret_is_shown_once_and_only_its_argon2_hash_is_kept(
    login_as, http, sessionmaker
) -> None:
    director = await login_as("dora", Role.RESOURCES_DIRECTOR)
    ids = await set_up_hotel(director)

    page = await director.post_form(PAGE, {"name": "HotelLinkage", "all_hotels": "on"})

    assert page.status_code == 201 and page.headers["cache-control"] == "no-store"
    found = re.search(r'id="new-secret" readonly size="50" value="([^"]+)"', page.text)
    assert found, page.text
    secret = unescape(found.group(1))
    assert secret not in (await director.page(PAGE)).text
    async with sessionmaker() as session:
        stored = await session.scalar(text("SELECT secret_hash FROM contracts.channel_manager"))
        audited = await session.scalar(
            text("SELECT after::text FROM contracts.audit_log WHERE entity = 'channel_manager'")
        )
    assert stored.startswith("$argon2") and secret not in stored
    assert "HotelLinkage" in audited and secret not in audited and "argon2" not in audited
    response = await send_as_channel(
        await http(), AVAIL, filled("ota_avail_ok.xml", ids), ("HotelLinkage", secret)
    )
    assert succeeded(response), response.text


async def test_hr2_wrong_missing_or_revoked_credentials_get_401_with_a_challenge(
    login_as, http, sessionmaker
) -> None:
    director = await login_as("dora", Role.RESOURCES_DIRECTOR)
    ids = await set_up_hotel(director)
    name, secret = await create_credential(director, "SiteLink", all_hotels=True)
    body, machine = filled("ota_avail_ok.xml", ids), await http()
    before = await grid_counts(sessionmaker)

    wrong = await send_as_channel(machine, AVAIL, body, (name, secret + "x"))
    unknown = await send_as_channel(machine, AVAIL, body, ("Nobody", secret))
    missing = await machine.post(AVAIL, content=body, headers={"content-type": "application/xml"})

    for response in (wrong, unknown, missing):
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith('Basic realm="roomline OTA"')
        assert [e.get("Type") for e in answer(response).iter(f"{OTA}Error")] == ["4"]
    assert "unknown, wrong or revoked" in error_texts(answer(wrong))[0]
    assert await grid_counts(sessionmaker) == before

    listed = (await director.get(API)).json()
    revoked = await director.post_json(f"{API}/{listed[0]['channel_manager_id']}/revoke", {})
    assert revoked.status_code == 200 and revoked.json()["revoked_by"] == "dora"
    after_revoke = await grid_counts(sessionmaker)

    response = await send_as_channel(machine, AVAIL, body, (name, secret))

    assert response.status_code == 401
    assert await grid_counts(sessionmaker) == after_revoke


async def test_hr2_a_credential_may_not_touch_another_hotel_and_nothing_changes(
    login_as, http, sessionmaker
) -> None:
    director = await login_as("dora", Role.RESOURCES_DIRECTOR)
    allowed = await set_up_hotel(director)
    other = await set_up_hotel(director)
    credential = await create_credential(director, "SiteLink", hotel_ids=[allowed["hotel_id"]])
    before = await grid_counts(sessionmaker)

    response = await send_as_channel(
        await http(), AVAIL, filled("ota_avail_ok.xml", other), credential
    )

    assert response.status_code == 200
    (error,) = answer(response).iter(f"{OTA}Error")
    assert (error.get("Type"), error.get("Code")) == ("6", "497")
    assert f"may not update HotelCode {other['hotel_id']}" in (error.text or "")
    assert await grid_counts(sessionmaker) == before


async def test_hr2_basic_auth_takes_only_xml_so_a_cross_site_form_cannot_post(
    login_as, http, sessionmaker
) -> None:
    director = await login_as("dora", Role.RESOURCES_DIRECTOR)
    ids = await set_up_hotel(director)
    credential = await create_credential(director, "SiteLink", all_hotels=True)
    before = await grid_counts(sessionmaker)

    response = await send_as_channel(
        await http(),
        AVAIL,
        filled("ota_avail_ok.xml", ids),
        credential,
        "application/x-www-form-urlencoded",
    )

    assert response.status_code == 415
    assert await grid_counts(sessionmaker) == before


async def test_hr2_only_a_director_or_admin_manages_credentials(login_as, sessionmaker) -> None:
    agent = await login_as("ana", Role.AGENT)
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    admin = await login_as("root", Role.ADMIN)
    before = await grid_counts(sessionmaker)

    for person in (agent, desk):
        refused = await person.post_json(API, {"name": "SiteLink", "all_hotels": True})
        assert refused.status_code == 403, refused.text
        page = await person.post_form(PAGE, {"name": "SiteLink", "all_hotels": "on"})
        assert page.status_code == 403
    assert await grid_counts(sessionmaker) == before

    created = await admin.post_json(API, {"name": "SiteLink", "all_hotels": True})
    assert created.status_code == 201, created.text


async def test_hr2_a_credential_needs_known_hotels_and_a_free_name(login_as, sessionmaker) -> None:
    director = await login_as("dora", Role.RESOURCES_DIRECTOR)
    ids = await set_up_hotel(director)
    await create_credential(director, "SiteLink", all_hotels=True)
    before = await grid_counts(sessionmaker)

    taken = await director.post_json(API, {"name": "sitelink", "hotel_ids": [ids["hotel_id"]]})
    unknown = await director.post_json(
        API, {"name": "Other", "hotel_ids": ["00000000-0000-0000-0000-000000000000"]}
    )
    neither = await director.post_json(API, {"name": "Other"})
    page = await director.post_form(PAGE, {"name": "bad:name", "hotel_ids": ids["hotel_id"]})

    assert taken.status_code == 409 and "already named sitelink" in taken.json()["detail"]
    assert unknown.status_code == 422 and "No hotel with code 0000" in unknown.json()["detail"]
    assert neither.status_code == 422 and "either all hotels" in neither.json()["detail"]
    assert page.status_code == 422 and '<a href="#field-name">' in page.text
    assert "This is not written the expected way" in page.text
    assert await grid_counts(sessionmaker) == before


async def test_hr2_the_page_lists_credentials_and_revokes_one(login_as, http) -> None:
    director = await login_as("dora", Role.RESOURCES_DIRECTOR)
    ids = await set_up_hotel(director)
    credential = await create_credential(director, "SiteLink", hotel_ids=[ids["hotel_id"]])
    listed = (await director.get(API)).json()

    page = await director.page(PAGE)
    revoked = await director.post_form(f"{PAGE}/{listed[0]['channel_manager_id']}/revoke", {})
    after = await director.page(PAGE)

    assert "SiteLink" in page.text and "Hilton Beijing Wangfujing" in page.text
    assert (
        "Revoke</button>" in page.text
        and "Channel managers" in (await director.page("/contracts/")).text
    )
    assert revoked.status_code == 303 and revoked.headers["location"] == PAGE
    assert "revoked</span>" in after.text and "Revoke</button>" not in after.text
    body = filled("ota_avail_ok.xml", ids)
    assert (await send_as_channel(await http(), AVAIL, body, credential)).status_code == 401
