"""OpenTravel (AlpineBits 2018-10) messages from a channel manager: availability and rate plans
are applied all or nothing and answered with the matching RS; DTDs (XXE, billion laughs) are
refused (HR-2, HR-4, HR-14)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from shared.auth import Role
from tests.services.contracts.helpers import allotments, counts, outbox, rates, set_up_hotel
from tests.services.contracts.test_imports import filled

OTA = "{http://www.opentravel.org/OTA/2003/05}"
AVAIL, RATE_PLANS = "/contracts/api/ota/HotelAvailNotif", "/contracts/api/ota/HotelRatePlanNotif"


async def send(desk, path: str, body: bytes, content_type: str = "application/xml"):
    return await desk.http.post(
        path, content=body, headers={"content-type": content_type, "x-csrf-token": desk.csrf}
    )


def answer(response) -> ET.Element:
    assert response.headers["content-type"].startswith("application/xml")
    return ET.fromstring(response.content)


def error_texts(root: ET.Element) -> list[str]:
    return [e.text or "" for e in root.iter(f"{OTA}Error")]


async def test_hr2_avail_notif_sets_allotments_and_warns_about_restrictions(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)

    response = await send(desk, AVAIL, filled("ota_avail_ok.xml", ids))

    assert response.status_code == 200, response.text
    root = answer(response)
    assert root.tag == f"{OTA}OTA_HotelAvailNotifRS"
    assert root.find(f"{OTA}Success") is not None and root.find(f"{OTA}Errors") is None
    warnings = [w.text or "" for w in root.iter(f"{OTA}Warning")]
    assert len(warnings) == 1 and "BookingThreshold=1" in warnings[0]
    assert "RestrictionStatus" in warnings[0]
    assert list((await allotments(sessionmaker, ids["room_type_id"])).values()) == [6, 6, 6, 0]
    events = await outbox(sessionmaker, "contracts.allotment_set")
    assert [len(e["nights"]) for e in events] == [3, 1]


async def test_hr4_rate_plan_notif_sets_net_and_sell_prices(login_as, sessionmaker) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)

    response = await send(desk, RATE_PLANS, filled("ota_rateplan_ok.xml", ids), "text/xml")

    assert response.status_code == 200, response.text
    root = answer(response)
    assert root.tag == f"{OTA}OTA_HotelRatePlanNotifRS"
    assert root.find(f"{OTA}Success") is not None
    assert any("MealsIncluded" in (w.text or "") for w in root.iter(f"{OTA}Warning"))
    stored = list((await rates(sessionmaker, ids["rate_plan_id"])).values())
    assert stored == [(60000, 68800, "CNY")] * 2 + [(61000, 72050, "CNY")] * 3
    assert len(await outbox(sessionmaker, "contracts.rates_published")) == 2


async def test_hr4_a_rate_without_net_or_below_net_refuses_the_whole_message(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    before = await counts(sessionmaker)

    response = await send(desk, RATE_PLANS, filled("ota_rateplan_no_net.xml", ids))

    assert response.status_code == 200
    root = answer(response)
    assert root.find(f"{OTA}Success") is None
    texts = error_texts(root)
    assert len(texts) == 2
    assert "Rate 2" in texts[0] and "net price is required: roomline:NetAmount" in texts[0]
    assert "Rate 3" in texts[1] and "below net CNY 500.00 (HR-4)" in texts[1]
    assert [e.get("Type") for e in root.iter(f"{OTA}Error")] == ["10", "3"]
    assert await counts(sessionmaker) == before


async def test_hr2_avail_notif_with_an_unknown_room_type_changes_nothing(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    before = await counts(sessionmaker)
    body = filled("ota_avail_ok.xml", ids).replace(
        b'InvTypeCode="Deluxe King"/>', b'InvTypeCode="Suite"/>'
    )
    unknown_hotel = filled(
        "ota_avail_ok.xml", {"hotel_id": "0" * 8 + "-0000-0000-0000-" + "0" * 12}
    )

    response = await send(desk, AVAIL, body)
    no_hotel = await send(desk, AVAIL, unknown_hotel)

    texts = error_texts(answer(response))
    assert texts == ["AvailStatusMessage 2: Hilton Beijing Wangfujing has no room type 'Suite'"]
    assert [e.get("Code") for e in answer(no_hotel).iter(f"{OTA}Error")] == ["392"]
    assert await counts(sessionmaker) == before


async def test_xxe_and_billion_laughs_are_refused(login_as, sessionmaker) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    before = await counts(sessionmaker)

    for fixture in ("ota_xxe.xml", "ota_billion_laughs.xml"):
        response = await send(desk, AVAIL, filled(fixture, ids))
        assert response.status_code == 400
        (text,) = error_texts(answer(response))
        assert "DTDs and entities are not accepted" in text and "root:" not in text
    assert await counts(sessionmaker) == before


async def test_ota_wrong_content_type_and_wrong_message_are_refused(login_as) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)

    as_json = await send(desk, AVAIL, b"{}", "application/json")
    assert as_json.status_code == 415 and error_texts(answer(as_json)) == ["send XML"]
    swapped = await send(desk, AVAIL, filled("ota_rateplan_ok.xml", ids))
    assert "expected OTA_HotelAvailNotifRQ" in error_texts(answer(swapped))[0]


async def test_hr2_ota_xml_can_be_uploaded_on_the_imports_page(login_as, sessionmaker) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)

    page = await desk.http.post(
        "/contracts/imports",
        files={"file": ("rates.xml", filled("ota_rateplan_ok.xml", ids), "application/xml")},
        data={"csrf_token": desk.csrf},
        headers={"accept": "text/html"},
    )

    assert page.status_code == 200
    assert "Imported the OTA_HotelRatePlanNotifRQ message: 2 ranges set" in page.text
    assert len(await rates(sessionmaker, ids["rate_plan_id"])) == 5


async def test_other_desks_get_403_on_ota_and_nothing_changes(login_as, sessionmaker) -> None:
    owner = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(owner)
    agent = await login_as("ana", Role.AGENT)
    before = await counts(sessionmaker)

    response = await send(agent, AVAIL, filled("ota_avail_ok.xml", ids))

    assert response.status_code == 403
    assert await counts(sessionmaker) == before
