"""The contracts JSON API: every change writes its rows, its audit row and its event in one
transaction (HR-2, HR-14); refusals (HR-4, bad input, unknown ids) write nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from tests.services.contracts.helpers import (
    API,
    allotments,
    counts,
    hotel_body,
    night,
    outbox,
    rates,
    set_up_hotel,
)

HOTEL_PUBLISHED = "contracts.hotel_published"
ALLOTMENT_SET = "contracts.allotment_set"
RATES_PUBLISHED = "contracts.rates_published"


async def test_hr2_hotel_room_type_and_rate_plan_are_written_and_published_as_snapshots(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)

    ids = await set_up_hotel(desk)

    assert await counts(sessionmaker) == {
        "hotel": 1,
        "room_type": 1,
        "rate_plan": 1,
        "night_allotment": 0,
        "night_rate": 0,
        "outbox": 3,
        "audit_log": 3,
    }
    snapshots = await outbox(sessionmaker, HOTEL_PUBLISHED)
    assert [len(s["room_types"]) for s in snapshots] == [0, 1, 1]
    assert [len(s["rate_plans"]) for s in snapshots] == [0, 0, 1]
    last = snapshots[-1]
    assert last["hotel_id"] == ids["hotel_id"] and last["sellable"] is True
    assert last["name_zh"] == "北京王府井希尔顿酒店" and last["city"] == "Beijing"
    assert last["confirm_channel"] == "fax" and last["fax"] == "010-58128000"
    assert last["rate_plans"] == [
        {
            "rate_plan_id": ids["rate_plan_id"],
            "room_type_id": ids["room_type_id"],
            "name": "Prepaid BAR",
            "payment_mode": "prepaid",
        }
    ]
    file = (await desk.get(f"{API}/hotels/{ids['hotel_id']}")).json()
    assert file["status"] == "active" and file["star_grade"] == 5
    assert [t["name"] for t in file["room_types"]] == ["Deluxe King"]


async def test_hr2_allotment_is_set_per_night_and_published_as_absolute_rooms(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    body = {"room_type_id": ids["room_type_id"], "first_night": night(0), "last_night": night(2)}

    first = await desk.request_json("PUT", f"{API}/allotments", {**body, "rooms": 8})
    again = await desk.request_json("PUT", f"{API}/allotments", {**body, "rooms": 5})

    assert first.status_code == 200, first.text
    assert again.json() == {**body, "rooms": 5, "nights": 3}
    stored = await allotments(sessionmaker, ids["room_type_id"])
    assert list(stored.values()) == [5, 5, 5]
    events = await outbox(sessionmaker, ALLOTMENT_SET)
    assert len(events) == 2
    assert {e["hotel_id"] for e in events} == {ids["hotel_id"]}
    assert [n["rooms"] for n in events[-1]["nights"]] == [5, 5, 5]
    assert [n["night"] for n in events[-1]["nights"]] == [night(0), night(1), night(2)]
    async with sessionmaker() as session:
        before = await session.scalar(
            text(
                "SELECT before FROM contracts.audit_log WHERE action = 'set_allotment' "
                "ORDER BY audit_id DESC LIMIT 1"
            )
        )
    assert before == {"rooms_by_night": {night(0): 8, night(1): 8, night(2): 8}}


async def test_hr14_rates_are_set_in_the_hotels_currency_and_published(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    body = {
        "rate_plan_id": ids["rate_plan_id"],
        "first_night": night(1),
        "last_night": night(4),
        "net_minor": 60000,
        "sell_minor": 68800,
    }

    response = await desk.request_json("PUT", f"{API}/rates", body)

    assert response.status_code == 200, response.text
    assert response.json() == {**body, "nights": 4}
    stored = await rates(sessionmaker, ids["rate_plan_id"])
    assert set(stored.values()) == {(60000, 68800, "CNY")} and len(stored) == 4
    [event] = await outbox(sessionmaker, RATES_PUBLISHED)
    assert event["currency"] == "CNY" and event["room_type_id"] == ids["room_type_id"]
    assert len(event["nights"]) == 4
    assert event["nights"][0] == {"night": night(1), "net_minor": 60000, "sell_minor": 68800}


async def test_hr4_sell_below_net_is_refused_and_writes_nothing(login_as, sessionmaker) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    before = await counts(sessionmaker)
    body = {
        "rate_plan_id": ids["rate_plan_id"],
        "first_night": night(0),
        "last_night": night(6),
        "net_minor": 60000,
        "sell_minor": 59999,
    }

    response = await desk.request_json("PUT", f"{API}/rates", body)

    assert response.status_code == 422
    refusal = response.json()
    assert refusal["error"] == "rule_violated" and refusal["rule"] == "HR-4"
    assert "HR-4" in refusal["detail"] and refusal["fields"][0]["field"] == "sell_minor"
    assert await counts(sessionmaker) == before


async def test_hr4_sell_equal_to_net_is_accepted(login_as) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    body = {"rate_plan_id": ids["rate_plan_id"], "first_night": night(0), "last_night": night(0)}
    response = await desk.request_json(
        "PUT", f"{API}/rates", {**body, "net_minor": 500, "sell_minor": 500}
    )
    assert response.status_code == 200, response.text


async def test_hr10_suspended_hotel_is_published_not_sellable(login_as, sessionmaker) -> None:
    desk = await login_as("dir", Role.RESOURCES_DIRECTOR)
    ids = await set_up_hotel(desk)

    no_summary = await desk.request_json(
        "PUT", f"{API}/hotels/{ids['hotel_id']}/status", {"status": "suspended"}
    )
    assert no_summary.status_code == 422 and no_summary.json()["fields"][0]["field"] == "summary"
    body = {"status": "suspended", "summary": "Overbooked our guests three times in October."}
    suspended = await desk.request_json("PUT", f"{API}/hotels/{ids['hotel_id']}/status", body)
    unchanged = await desk.request_json("PUT", f"{API}/hotels/{ids['hotel_id']}/status", body)

    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    assert unchanged.status_code == 200
    snapshots = await outbox(sessionmaker, HOTEL_PUBLISHED)
    assert len(snapshots) == 4  # create, room type, rate plan, suspension; the repeat is silent
    assert snapshots[-1]["sellable"] is False
    assert len(snapshots[-1]["room_types"]) == 1 and len(snapshots[-1]["rate_plans"]) == 1


async def test_hr13_prospective_hotel_is_not_sellable_and_counts_member_requests(
    login_as, sessionmaker
) -> None:
    desk = await login_as("zj", Role.HOTEL_RESOURCES)
    created = await desk.post_json(f"{API}/hotels", hotel_body(status="prospective"))
    hotel_id = created.json()["hotel_id"]
    snapshots = await outbox(sessionmaker, HOTEL_PUBLISHED)
    assert snapshots[-1]["sellable"] is False
    for _ in range(2):
        asked = await desk.post_form(f"/contracts/hotels/{hotel_id}/member-requests", {})
        assert asked.status_code == 303
    page = await desk.page(f"/contracts/hotels/{hotel_id}")
    assert "prospective, not signed · 2 member request(s)" in page.text
    signed = await desk.post_form(f"/contracts/hotels/{hotel_id}/status", {"status": "active"})
    assert signed.status_code == 303
    assert (await outbox(sessionmaker, HOTEL_PUBLISHED))[-1]["sellable"] is True
    refused = await desk.post_form(f"/contracts/hotels/{hotel_id}/member-requests", {})
    assert refused.status_code == 409 and "already signed" in refused.text


def _bad_hotels() -> list[tuple[str, dict[str, object], str]]:
    return [
        ("star 6", hotel_body(star_grade=6), "star_grade"),
        ("star 0", hotel_body(star_grade=0), "star_grade"),
        ("lowercase currency", hotel_body(currency="cny"), "currency"),
        ("fax hotel without fax", hotel_body(fax=""), "fax"),
        ("email hotel without email", hotel_body(confirm_channel="email"), "email"),
        ("bad email", hotel_body(email="front desk"), "email"),
        ("unknown channel", hotel_body(confirm_channel="telex"), "confirm_channel"),
        ("no English name", {**hotel_body(), "name_en": ""}, "name_en"),
    ]


@pytest.mark.parametrize(("case", "body", "field"), _bad_hotels(), ids=lambda x: str(x)[:30])
async def test_bad_hotel_is_422_naming_the_field_and_writes_nothing(
    login_as, sessionmaker, case: str, body: dict[str, object], field: str
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    response = await desk.post_json(f"{API}/hotels", body)
    assert response.status_code == 422, case
    assert field in [f["field"] for f in response.json()["fields"]], response.text
    assert (await counts(sessionmaker))["hotel"] == 0
    assert (await counts(sessionmaker))["outbox"] == 0


def _bad_ranges() -> list[tuple[str, dict[str, object], str]]:
    return [
        ("past first night", {"first_night": night(-1), "last_night": night(2)}, "first_night"),
        ("last before first", {"first_night": night(3), "last_night": night(2)}, "last_night"),
        # From tomorrow: the cases are built at collection, and a run that crosses midnight in
        # Beijing would otherwise find "today" already past.
        ("401 nights", {"first_night": night(1), "last_night": night(401)}, "last_night"),
        ("rooms -1", {"rooms": -1}, "rooms"),
        ("rooms 1000", {"rooms": 1000}, "rooms"),
        ("rooms not a number", {"rooms": "many"}, "rooms"),
        ("malformed room type id", {"room_type_id": "deluxe"}, "room_type_id"),
        ("no first night", {"first_night": None}, "first_night"),
    ]


@pytest.mark.parametrize(("case", "change", "field"), _bad_ranges(), ids=lambda x: str(x)[:30])
async def test_bad_allotment_is_422_naming_the_field_and_writes_nothing(
    login_as, sessionmaker, case: str, change: dict[str, object], field: str
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    before = await counts(sessionmaker)
    body = {
        "room_type_id": ids["room_type_id"],
        "first_night": night(0),
        "last_night": night(1),
        "rooms": 4,
        **change,
    }
    response = await desk.request_json("PUT", f"{API}/allotments", body)
    assert response.status_code == 422, case
    assert field in [f["field"] for f in response.json()["fields"]], response.text
    assert await counts(sessionmaker) == before


async def test_a_400_night_range_is_accepted_as_one_event(login_as, sessionmaker) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    body = {"room_type_id": ids["room_type_id"], "first_night": night(0), "last_night": night(399)}
    response = await desk.request_json("PUT", f"{API}/allotments", {**body, "rooms": 9})
    assert response.status_code == 200 and response.json()["nights"] == 400
    [event] = await outbox(sessionmaker, ALLOTMENT_SET)
    assert len(event["nights"]) == 400


async def test_negative_prices_are_422_naming_the_field(login_as, sessionmaker) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    before = await counts(sessionmaker)
    body = {
        "rate_plan_id": ids["rate_plan_id"],
        "first_night": night(0),
        "last_night": night(0),
        "net_minor": -1,
        "sell_minor": 100,
    }
    response = await desk.request_json("PUT", f"{API}/rates", body)
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "net_minor"
    assert await counts(sessionmaker) == before


async def test_unknown_hotel_id_is_refused_naming_the_field(login_as, sessionmaker) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    unknown = await desk.post_json(f"{API}/hotels/{uuid.uuid4()}/room-types", {"name": "Twin"})
    malformed = await desk.post_json(f"{API}/hotels/not-a-hotel/room-types", {"name": "Twin"})
    missing = await desk.get(f"{API}/hotels/{uuid.uuid4()}")

    assert unknown.status_code == 404 and unknown.json()["fields"][0]["field"] == "hotel_id"
    assert malformed.status_code == 422 and malformed.json()["fields"][0]["field"] == "hotel_id"
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert await counts(sessionmaker) == dict.fromkeys(await counts(sessionmaker), 0)


async def test_unknown_room_type_and_rate_plan_are_404_naming_the_field(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    before = await counts(sessionmaker)
    rooms = {"room_type_id": str(uuid.uuid4()), "first_night": night(0), "last_night": night(0)}
    prices = {"rate_plan_id": str(uuid.uuid4()), "first_night": night(0), "last_night": night(0)}
    plan = {"room_type_id": str(uuid.uuid4()), "name": "BAR", "payment_mode": "prepaid"}

    responses = [
        await desk.request_json("PUT", f"{API}/allotments", {**rooms, "rooms": 1}),
        await desk.request_json("PUT", f"{API}/rates", {**prices, "net_minor": 1, "sell_minor": 2}),
        await desk.post_json(f"{API}/hotels/{ids['hotel_id']}/rate-plans", plan),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    fields = [r.json()["fields"][0]["field"] for r in responses]
    assert fields == ["room_type_id", "rate_plan_id", "room_type_id"]
    assert await counts(sessionmaker) == before


async def test_rate_plan_on_another_hotels_room_type_is_refused(login_as, sessionmaker) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    other = (await desk.post_json(f"{API}/hotels", hotel_body(name_en="Other"))).json()
    before = await counts(sessionmaker)
    plan = {"room_type_id": ids["room_type_id"], "name": "BAR", "payment_mode": "prepaid"}
    response = await desk.post_json(f"{API}/hotels/{other['hotel_id']}/rate-plans", plan)
    assert response.status_code == 404
    assert await counts(sessionmaker) == before


async def test_duplicate_room_type_and_rate_plan_names_are_conflicts(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    before = await counts(sessionmaker)
    plan = {"room_type_id": ids["room_type_id"], "name": "Prepaid BAR", "payment_mode": "prepaid"}
    room_type = await desk.post_json(
        f"{API}/hotels/{ids['hotel_id']}/room-types", {"name": "Deluxe King"}
    )
    rate_plan = await desk.post_json(f"{API}/hotels/{ids['hotel_id']}/rate-plans", plan)
    assert room_type.status_code == 409 and room_type.json()["fields"][0]["field"] == "name"
    assert rate_plan.status_code == 409 and rate_plan.json()["fields"][0]["field"] == "name"
    assert await counts(sessionmaker) == before


async def test_malformed_json_is_422_and_writes_nothing(login_as, sessionmaker) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    response = await desk.http.post(
        f"{API}/hotels",
        content=b'{"name_zh": "\xe5\x8c\x97", "star_grade": 5,',
        headers={"x-csrf-token": desk.csrf, "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_input" and response.json()["fields"]
    assert (await counts(sessionmaker))["hotel"] == 0


async def test_first_night_is_judged_in_the_business_time_zone(login_as, sessionmaker) -> None:
    # 00:30 in Beijing is still the previous day in UTC: "today" is the Beijing date.
    beijing_day = clock.today() + timedelta(days=5)
    clock.set_now(clock.start_of_local_day(beijing_day) + timedelta(minutes=30))
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    utc_day = clock.now().date()
    assert utc_day == beijing_day - timedelta(days=1)

    def body(day: object) -> dict[str, object]:
        return {
            "room_type_id": ids["room_type_id"],
            "first_night": str(day),
            "last_night": str(day),
        }

    past = await desk.request_json("PUT", f"{API}/allotments", {**body(utc_day), "rooms": 1})
    today = await desk.request_json("PUT", f"{API}/allotments", {**body(beijing_day), "rooms": 1})
    assert past.status_code == 422 and past.json()["fields"][0]["field"] == "first_night"
    assert today.status_code == 200, today.text


async def test_hotels_are_searchable_by_city_and_name(login_as) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    await desk.post_json(f"{API}/hotels", hotel_body())
    await desk.post_json(
        f"{API}/hotels",
        hotel_body(name_zh="上海和平饭店", name_en="Fairmont Peace Hotel", city="Shanghai"),
    )
    by_city = (await desk.get(f"{API}/hotels", params={"q": "shanghai"})).json()
    by_chinese = (await desk.get(f"{API}/hotels", params={"q": "王府井"})).json()
    wildcard = (await desk.get(f"{API}/hotels", params={"q": "%"})).json()
    assert [h["name_en"] for h in by_city["hotels"]] == ["Fairmont Peace Hotel"]
    assert [h["city"] for h in by_chinese["hotels"]] == ["Beijing"]
    assert wildcard["total"] == 0 and by_city["page_size"] == 50
