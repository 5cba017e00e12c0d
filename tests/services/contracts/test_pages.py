"""The hotel-resources desk's pages: list, new hotel, the hotel's file and its forms.

Form posts carry the CSRF token, redirect back with a notice on success, and on bad input show
the form again with a message naming the field while writing nothing."""

from __future__ import annotations

import re
from datetime import timedelta

from shared.auth import Role
from shared.clock import clock
from shared.db import unit_of_work
from tests.services.contracts.helpers import API, counts, hotel_body, night, outbox, set_up_hotel

DESK = "/contracts"
FORM_HOTEL = {
    "name_zh": "北京和平饭店",
    "name_en": "Peace Hotel Beijing",
    "city": "Beijing",
    "district": "Dongcheng",
    "address": "3 Jinyu Hutong",
    "star_grade": "5",
    "currency": "CNY",
    "confirm_channel": "email",
    "fax": "",
    "email": "reservations@peace.example",
    "phone": "010-65128833",
}


def _location_hotel_id(location: str) -> str:
    found = re.search(r"/contracts/hotels/([0-9a-f-]{36})\?notice=", location)
    assert found, location
    return found.group(1)


async def test_empty_hotel_list_invites_the_first_hotel(login_as) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    page = await desk.page(f"{DESK}/")
    assert page.status_code == 200
    assert "No hotels yet" in page.text and 'href="/contracts/hotels/new"' in page.text


async def test_hotel_is_created_from_the_form_and_its_page_shows_it(login_as, sessionmaker) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    form = await desk.page(f"{DESK}/hotels/new")
    assert form.status_code == 200
    for label in ("Chinese name", "English name", "Star grade", "Confirmation by", "Currency"):
        assert label in form.text
    assert 'name="csrf_token" value="' + desk.csrf + '"' in form.text

    created = await desk.post_form(f"{DESK}/hotels", FORM_HOTEL)

    assert created.status_code == 303
    hotel_id = _location_hotel_id(created.headers["location"])
    page = await desk.page(created.headers["location"])
    assert "Hotel created" in page.text and 'role="status"' in page.text
    assert "北京和平饭店 · Peace Hotel Beijing" in page.text
    assert "No room types yet" in page.text
    [snapshot] = await outbox(sessionmaker, "contracts.hotel_published")
    assert snapshot["hotel_id"] == hotel_id and snapshot["email"] == "reservations@peace.example"


async def test_bad_hotel_form_shows_a_readable_message_and_keeps_what_was_typed(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    response = await desk.post_form(
        f"{DESK}/hotels", {**FORM_HOTEL, "star_grade": "6", "email": ""}
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert "Star grade</a> — Enter 5 or less." in response.text
    assert "Email</a> — a hotel confirmed by email needs an email address" in response.text
    assert 'value="Peace Hotel Beijing"' in response.text
    assert await counts(sessionmaker) == dict.fromkeys(await counts(sessionmaker), 0)


async def test_hotel_page_forms_add_room_type_plan_allotment_and_prices(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    created = await desk.post_form(f"{DESK}/hotels", FORM_HOTEL)
    hotel = created.headers["location"].split("?")[0]

    room_type = await desk.post_form(f"{hotel}/room-types", {"name": "Deluxe King"})
    page = await desk.page(room_type.headers["location"])
    room_type_id = re.search(r'<option value="([0-9a-f-]{36})"', page.text).group(1)
    plan = await desk.post_form(
        f"{hotel}/rate-plans",
        {"room_type_id": room_type_id, "name": "Prepaid BAR", "payment_mode": "prepaid"},
    )
    page = await desk.page(plan.headers["location"])
    rate_plan_id = re.search(r'name="rate_plan_id"><option value="([0-9a-f-]{36})"', page.text)
    allotment = await desk.post_form(
        f"{hotel}/allotments",
        {
            "room_type_id": room_type_id,
            "first_night": night(0),
            "last_night": night(20),
            "rooms": "7",
        },
    )
    rates = await desk.post_form(
        f"{hotel}/rates",
        {
            "rate_plan_id": rate_plan_id.group(1),
            "first_night": night(0),
            "last_night": night(20),
            "net": "1,450.50".replace(",", ""),
            "sell": "1680",
        },
    )

    assert [r.status_code for r in (room_type, plan, allotment, rates)] == [303] * 4
    page = await desk.page(rates.headers["location"])
    assert "Saved: prices set" in page.text
    assert page.text.count('<td class="num">7</td>') == 14  # the next 14 nights
    assert page.text.count('<td class="num">1,680</td>') == 14
    assert page.text.count('<td class="num">1,450.50</td>') == 14
    assert (await counts(sessionmaker))["night_rate"] == 21
    [event] = await outbox(sessionmaker, "contracts.rates_published")
    assert event["nights"][0]["net_minor"] == 145050 and event["nights"][0]["sell_minor"] == 168000


async def test_hr4_prices_form_refuses_sell_below_net_with_the_rule_named(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    before = await counts(sessionmaker)
    form = {
        "rate_plan_id": ids["rate_plan_id"],
        "first_night": night(1),
        "last_night": night(3),
        "net": "600.00",
        "sell": "550.00",
    }
    response = await desk.post_form(f"{DESK}/hotels/{ids['hotel_id']}/rates", form)
    assert response.status_code == 422
    assert "Sell price CNY 550.00 is below the net price CNY 600.00" in response.text
    assert "HR-4" not in response.text  # the rule's sentence, not its ID (issue 15)
    assert 'value="550.00"' in response.text  # what was typed is kept
    assert await counts(sessionmaker) == before


async def test_bad_allotment_form_names_the_field_and_writes_nothing(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    before = await counts(sessionmaker)
    url = f"{DESK}/hotels/{ids['hotel_id']}/allotments"
    base = {"room_type_id": ids["room_type_id"], "first_night": night(0), "last_night": night(1)}

    past = await desk.post_form(url, {**base, "first_night": night(-1), "rooms": "3"})
    negative = await desk.post_form(url, {**base, "rooms": "-1"})
    reversed_range = await desk.post_form(url, {**base, "last_night": night(-2), "rooms": "1"})
    blank = await desk.post_form(url, {**base, "rooms": ""})

    assert past.status_code == 422 and '<a href="#field-first_night">' in past.text
    assert "is in the past" in past.text
    assert negative.status_code == 422 and "Rooms</a> — Enter 0 or more." in negative.text
    assert "The last night must not be before the first night." in reversed_range.text
    assert blank.status_code == 422 and "Rooms</a> — Fill this in." in blank.text
    assert await counts(sessionmaker) == before


async def test_bad_price_text_names_the_field(login_as, sessionmaker) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    before = await counts(sessionmaker)
    form = {
        "rate_plan_id": ids["rate_plan_id"],
        "first_night": night(1),
        "last_night": night(1),
        "net": "six hundred",
        "sell": "688.001",
    }
    response = await desk.post_form(f"{DESK}/hotels/{ids['hotel_id']}/rates", form)
    assert response.status_code == 422
    assert '<a href="#field-net">Net price' in response.text
    assert '<a href="#field-sell">Sell price' in response.text
    assert 'id="field-net-error">Enter an amount, like 580.00.<' in response.text  # beside it
    assert 'id="field-sell-error">Enter an amount, like 580.00.<' in response.text
    assert await counts(sessionmaker) == before


async def test_allotment_form_refuses_another_hotels_room_type(login_as, sessionmaker) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    other = (await desk.post_json(f"{API}/hotels", hotel_body(name_en="Other"))).json()
    before = await counts(sessionmaker)
    form = {
        "room_type_id": ids["room_type_id"],
        "first_night": night(0),
        "last_night": night(0),
        "rooms": "2",
    }
    response = await desk.post_form(f"{DESK}/hotels/{other['hotel_id']}/allotments", form)
    assert response.status_code == 404 and "at this hotel" in response.text
    assert await counts(sessionmaker) == before


async def test_hr10_suspend_button_marks_the_hotel_not_sellable(login_as, sessionmaker) -> None:
    desk = await login_as("dir", Role.RESOURCES_DIRECTOR)
    ids = await set_up_hotel(desk)
    before = await counts(sessionmaker)
    refused = await desk.post_form(
        f"{DESK}/hotels/{ids['hotel_id']}/status", {"status": "suspended"}
    )
    assert refused.status_code == 422 and "written summary" in refused.text
    assert await counts(sessionmaker) == before
    response = await desk.post_form(
        f"{DESK}/hotels/{ids['hotel_id']}/status",
        {"status": "suspended", "summary": "Contract not renewed for 2027."},
    )
    page = await desk.page(response.headers["location"])
    assert "suspended, not sellable" in page.text and "Reactivate hotel" in page.text
    assert "Contract not renewed for 2027." in page.text  # archived with its summary
    snapshots = await outbox(sessionmaker, "contracts.hotel_published")
    assert snapshots[-1]["sellable"] is False


async def test_unknown_hotel_page_is_a_readable_404(login_as) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    page = await desk.page(f"{DESK}/hotels/6f1c1f5e-0000-4000-8000-000000000000")
    assert page.status_code == 404 and "No hotel" in page.text


async def test_hotel_list_searches_by_city_and_pages_by_50(login_as, sessionmaker) -> None:
    from services.contracts.hotels import service
    from services.contracts.hotels.schemas import HotelIn

    async with unit_of_work(sessionmaker) as session:
        for n in range(52):
            data = HotelIn(**hotel_body(name_en=f"Beijing Inn {n:02d}"))
            await service.create_hotel(session, actor="tests", data=data)
        shanghai = hotel_body(name_en="Jinjiang Inn", name_zh="锦江之星", city="Shanghai")
        await service.create_hotel(session, actor="tests", data=HotelIn(**shanghai))
    desk = await login_as("hua", Role.HOTEL_RESOURCES)

    first = await desk.page(f"{DESK}/", params={"q": "beijing"})
    second = await desk.page(f"{DESK}/", params={"q": "beijing", "page": 2})
    by_name = await desk.page(f"{DESK}/", params={"q": "锦江"})
    nothing = await desk.page(f"{DESK}/", params={"q": "Lhasa"})

    assert first.text.count("/contracts/hotels/") - first.text.count("/hotels/new") == 50
    assert "Page 1 of 2" in first.text and "page=2" in first.text
    assert second.text.count("Beijing Inn") == 2 and "Page 2 of 2" in second.text
    assert "Jinjiang Inn" in by_name.text and "Beijing Inn" not in by_name.text
    assert "No hotel matches “Lhasa”" in nothing.text


async def test_calendar_starts_today_in_the_business_time_zone(login_as) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    page = await desk.page(f"{DESK}/hotels/{ids['hotel_id']}")
    today, last = clock.today(), clock.today() + timedelta(days=13)
    assert f">{today:%m-%d}<br>" in page.text and f">{last:%m-%d}<br>" in page.text
    assert f">{last + timedelta(days=1):%m-%d}<br>" not in page.text
