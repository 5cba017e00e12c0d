"""OpenTravel (AlpineBits 2018-10) messages from a channel manager: availability (allotments
and restrictions) and rate plans are applied all or nothing and answered with the matching RS;
DTDs (XXE, billion laughs) are refused (HR-2, HR-4, HR-14, IN-2)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shared.auth import Role
from shared.clock import clock
from tests.services.contracts.helpers import (
    API,
    allotments,
    counts,
    night,
    outbox,
    rates,
    set_up_hotel,
)
from tests.services.contracts.ota_support import (
    AVAIL,
    OTA,
    RATE_PLANS,
    answer,
    audit_actors,
    error_texts,
    grid_counts,
    restrictions_by_night,
    send,
    succeeded,
)
from tests.services.contracts.test_imports import FIXTURES, filled


def ahead(days: int) -> date:
    return clock.today() + timedelta(days=days)


async def test_hr2_avail_notif_sets_allotments_stores_restrictions_and_warns_about_the_rest(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)

    response = await send(desk, AVAIL, filled("ota_avail_ok.xml", ids))

    assert response.status_code == 200, response.text
    root = answer(response)
    assert root.tag == f"{OTA}OTA_HotelAvailNotifRS"
    assert succeeded(response)
    warnings = [w.text or "" for w in root.iter(f"{OTA}Warning")]
    assert warnings == ["AvailStatusMessage 2: not stored: BookingThreshold=1"]
    assert list((await allotments(sessionmaker, ids["room_type_id"])).values()) == [6, 6, 6, 0]
    events = await outbox(sessionmaker, "contracts.allotment_set")
    assert [len(e["nights"]) for e in events] == [3, 1]
    stored = await restrictions_by_night(sessionmaker, ids["room_type_id"])
    assert list(stored) == [ahead(4)] and stored[ahead(4)]["closed_to_arrival"] is True


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
    assert "Rate 3" in texts[1] and "below net CNY 500.00" in texts[1]
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


async def test_in2_avail_notif_stores_stop_sell_cta_ctd_min_stay_and_release_through_the_calendar(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)

    response = await send(desk, AVAIL, filled("ota_avail_restrictions.xml", ids))

    assert response.status_code == 200 and succeeded(response), response.text
    stored = await restrictions_by_night(sessionmaker, ids["room_type_id"])
    weekend = [ahead(d) for d in range(1, 10) if ahead(d).weekday() >= 5]
    assert set(stored) == {ahead(1), ahead(2), ahead(3), *weekend}
    # Message 1 stopped nights 1-3, message 3 reopened night 1 (messages apply in order).
    assert [stored[ahead(d)]["stop_sell"] for d in (1, 2, 3)] == [False, True, True]
    assert stored[ahead(1)]["release_days"] == 2
    assert stored[ahead(2)]["min_stay"] == 3 and stored[ahead(2)]["closed_to_departure"]
    assert {n for n, row in stored.items() if row["closed_to_arrival"]} == set(weekend)
    # The weekday pattern holds rooms on weekend nights only.
    assert await allotments(sessionmaker, ids["room_type_id"]) == {n: 4 for n in weekend}
    events = await outbox(sessionmaker, "contracts.restrictions_set")
    assert len(events) == 4 and all(e["room_type_id"] == ids["room_type_id"] for e in events)
    assert await audit_actors(sessionmaker, "set_restrictions") == ["hua"] * 4


async def test_in2_set_max_los_is_refused_and_nothing_of_the_message_is_stored(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    before = await grid_counts(sessionmaker)

    response = await send(desk, AVAIL, filled("ota_avail_max_los.xml", ids))

    assert response.status_code == 200
    (error,) = answer(response).iter(f"{OTA}Error")
    assert error.get("Type") == "2"
    assert "SetMaxLOS: a maximum stay is not modelled" in (error.text or "")
    assert await grid_counts(sessionmaker) == before


def fill(template: str, ids: dict[str, str]) -> str:
    """``{hotel_id}`` and ``{nightN}`` (N days ahead) filled in, as ``filled`` does."""
    text = template.replace("{hotel_id}", ids["hotel_id"])
    for days in range(10):
        text = text.replace(f"{{night{days}}}", night(days))
    return text


ZERO_ID = "00000000-0000-0000-0000-000000000000"
# (what is wrong, replace this in the valid message, with this, HTTP status, OTA ERR code,
# the readable text expected in the Error)
REFUSALS = [
    (
        "unknown hotel code",
        'HotelCode="{hotel_id}"',
        f'HotelCode="{ZERO_ID}"',
        200,
        "392",
        f"no hotel with HotelCode {ZERO_ID}",
    ),
    (
        "unknown room type",
        'End="{night3}" InvTypeCode="Deluxe King"',
        'End="{night3}" InvTypeCode="Suite"',
        200,
        "402",
        "AvailStatusMessage 1: Hilton Beijing Wangfujing has no room type 'Suite'",
    ),
    (
        "End before Start",
        'End="{night3}"',
        'End="{night0}"',
        200,
        "15",
        "AvailStatusMessage 1: End {night0} is before Start {night1}",
    ),
    (
        "malformed XML",
        "</AvailStatusMessages>",
        "</AvailStatusMessage>",
        400,
        "450",
        "not well-formed XML: mismatched tag",
    ),
    (
        "restriction we do not model",
        'Restriction="Departure"',
        'Restriction="NonGuarantee"',
        200,
        "320",
        "AvailStatusMessage 2: Restriction 'NonGuarantee' is not supported",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "status", "code", "text"),
    [r[1:] for r in REFUSALS],
    ids=[r[0] for r in REFUSALS],
)
async def test_hr2_a_refused_avail_notif_answers_errors_and_changes_nothing(
    login_as, sessionmaker, old: str, new: str, status: int, code: str, text: str
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    template = (FIXTURES / "ota_avail_restrictions.xml").read_text(encoding="utf-8")
    assert old in template
    before = await grid_counts(sessionmaker)

    response = await send(desk, AVAIL, fill(template.replace(old, new, 1), ids).encode())

    assert response.status_code == status
    root = answer(response)
    assert root.find(f"{OTA}Success") is None
    (error,) = root.iter(f"{OTA}Error")
    assert error.get("Code") == code
    assert fill(text, ids) in (error.text or "")
    assert await grid_counts(sessionmaker) == before


async def test_in2_restrictions_naming_one_of_several_rate_plans_are_refused(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    second = await desk.post_json(
        f"{API}/hotels/{ids['hotel_id']}/rate-plans",
        {
            "room_type_id": ids["room_type_id"],
            "name": "Pay at hotel",
            "payment_mode": "pay_at_hotel",
        },
    )
    assert second.status_code == 201, second.text
    before = await grid_counts(sessionmaker)

    response = await send(desk, AVAIL, filled("ota_avail_restrictions.xml", ids))

    (error,) = answer(response).iter(f"{OTA}Error")
    assert (error.get("Type"), error.get("Code")) == ("2", "249")
    assert "would also restrict 'Pay at hotel'" in (error.text or "")
    assert await grid_counts(sessionmaker) == before
