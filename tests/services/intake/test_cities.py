"""A city as the caller says it (IN-2, issue 15): Chinese, pinyin, English or an alias finds
the hotel data's city; an unknown city says so with close matches; the city's districts are
offered to pick from. And the booking form's defaults for a call in few keys (IN-1): the
member as booker and first guest, and only the rate plan's own payment mode."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta
from urllib.parse import quote

import pytest

from services.intake.search import cities
from shared.auth import Role
from shared.clock import clock
from shared.events import envelope_for
from shared.events.members import MemberUpdatedV1
from tests.services.intake.factories import apply, seed_hotel

SEARCH = "/intake/api/search"
BOOK_LINK = re.compile(r'href="(/intake/book\?[^"]+)"')


def _stay(days_ahead: int = 3, nights: int = 2) -> dict[str, str]:
    check_in = clock.today() + timedelta(days=days_ahead)
    return {
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=nights)).isoformat(),
    }


HOTEL_CITIES = ["Beijing", "Shanghai", "Xi'an", "丽江", "苏州"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("北京", "Beijing"),
        ("北京市", "Beijing"),
        ("beijing", "Beijing"),
        ("Bei Jing", "Beijing"),
        ("běijīng", "Beijing"),
        ("Peking", "Beijing"),
        ("京", "Beijing"),
        ("帝都", "Beijing"),
        ("沪", "Shanghai"),
        ("上海", "Shanghai"),
        ("西安", "Xi'an"),
        ("xian", "Xi'an"),
        ("XI AN", "Xi'an"),
        ("lijiang", "丽江"),
        ("丽江市", "丽江"),
        ("Suzhou", "苏州"),
    ],
)
def test_a_city_is_found_however_the_caller_says_it(typed: str, meant: str) -> None:
    assert cities.resolve(typed, HOTEL_CITIES).spellings == [meant]


def test_a_district_is_found_in_chinese_or_pinyin_when_the_data_spells_it_otherwise() -> None:
    districts = ["Chaoyang", "Dongcheng", "Xicheng"]
    assert cities.district_named("东城区", districts) == "Dongcheng"
    assert cities.district_named("朝阳", districts) == "Chaoyang"  # 朝 read chao, not zhao
    assert cities.district_named("chao yang", ["朝阳区", "东城区"]) == "朝阳区"
    assert cities.district_named("Dong", districts) is None  # a part of the name: SQL finds it
    assert cities.district_named("海淀", districts) is None


def test_an_unknown_city_has_close_matches_and_a_homophone_is_not_the_city() -> None:
    misspelt = cities.resolve("Bejing", HOTEL_CITIES)
    assert misspelt.spellings == [] and not misspelt.known
    assert misspelt.suggestions == ["Beijing"]
    # 宿州 reads "suzhou" like 苏州 but is another city: suggested, never searched.
    other = cities.resolve("宿州", HOTEL_CITIES)
    assert other.spellings == [] and other.suggestions == ["苏州"]
    chengdu = cities.resolve("成都", HOTEL_CITIES)  # a real city where we have no hotel
    assert chengdu.spellings == [] and chengdu.known
    assert cities.resolve("Paris", HOTEL_CITIES).suggestions == []


async def test_in2_chinese_pinyin_english_and_alias_find_the_same_offers(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, city="Beijing", district="Dongcheng")
    await seed_hotel(sessionmaker, city="Beijing", name_en="Kunlun", district="Chaoyang")
    await seed_hotel(sessionmaker, city="Shanghai", name_en="Bund Hotel", district="Huangpu")
    agent = await login_as("ana", Role.AGENT)

    for typed in ("北京", "bei jing", "Peking", "京", "BEIJING"):
        found = await agent.get(SEARCH, params={"city": typed, **_stay()})
        assert found.status_code == 200, (typed, found.text)
        body = found.json()
        assert body["city"] == "Beijing" and body["total"] == 2, typed
        assert {o["hotel_name"] for o in body["offers"]} == {"Peace Hotel", "Kunlun"}
        assert body["districts"] == [
            {"name": "Chaoyang", "hotels": 1},
            {"name": "Dongcheng", "hotels": 1},
        ]
    for district in ("Dongcheng", "东城区", "dong cheng"):  # as the data, in Chinese, in pinyin
        picked = await agent.get(SEARCH, params={"city": "北京", "district": district, **_stay()})
        offers = picked.json()["offers"]
        assert [o["rate_plan_id"] for o in offers] == [str(seeded.rate_plan_id)], district
    chaoyang = await agent.get(SEARCH, params={"city": "京", "district": "朝阳", **_stay()})
    assert [o["hotel_name"] for o in chaoyang.json()["offers"]] == ["Kunlun"]


async def test_in2_an_unknown_city_says_so_with_close_matches_not_the_dates(
    login_as, sessionmaker
) -> None:
    await seed_hotel(sessionmaker, city="Beijing")
    agent = await login_as("ana", Role.AGENT)

    api = await agent.get(SEARCH, params={"city": "Bejing", **_stay()})
    page = await agent.page("/intake/", params={"city": "Bejing", "rooms": "1", **_stay()})
    none_here = await agent.page("/intake/", params={"city": "成都", "rooms": "1", **_stay()})

    assert api.status_code == 422
    assert api.json()["detail"] == "No city called Bejing."
    assert api.json()["suggestions"] == ["Beijing"]
    assert api.json()["fields"][0]["field"] == "city"
    assert page.status_code == 422
    text = html.unescape(page.text)
    assert "No city called Bejing." in text and "these dates" not in text
    assert re.search(r'<a href="/intake/\?city=Beijing&[^"]*" data-page-link>Beijing</a>', text)
    assert 'name="city" type="text" value="Bejing"' in text  # what was typed stays
    assert "We have no hotel in 成都." in html.unescape(none_here.text)


async def test_in2_the_page_offers_the_citys_districts_to_pick_from(login_as, sessionmaker) -> None:
    await seed_hotel(sessionmaker, city="Beijing", district="Dongcheng")
    await seed_hotel(sessionmaker, city="Beijing", name_en="Kunlun", district="Chaoyang")
    await seed_hotel(sessionmaker, city="Shanghai", name_en="Bund Hotel", district="Huangpu")
    agent = await login_as("ana", Role.AGENT)

    page = await agent.page("/intake/", params={"city": "北京", "rooms": "1", **_stay()})

    text = html.unescape(page.text)
    assert page.status_code == 200
    options = '<option value="Chaoyang"></option><option value="Dongcheng"></option>'
    assert f'<datalist id="districts">{options}</datalist>' in text
    assert "Huangpu" not in text  # Shanghai's
    pick = rf'href="/intake/\?city={quote("北京")}&[^"]*district=Chaoyang" data-page-link>'
    assert re.search(pick, text)
    assert 'list="districts"' in text


async def test_in1_booking_form_takes_the_member_as_booker_and_first_guest(
    login_as, sessionmaker
) -> None:
    await seed_hotel(sessionmaker, payment_mode="pay_at_hotel")
    member = MemberUpdatedV1(
        member_id=uuid.uuid4(), version_no=1, card_no="M770001", full_name="王芳",
        phones=["13912345678"], level="gold", updated_at=clock.now(),
    )  # fmt: skip
    await apply(sessionmaker, envelope_for(member, source="members", occurred_at=clock.now()))
    agent = await login_as("ana", Role.AGENT)
    search = await agent.page("/intake/", params={"city": "北京", "rooms": "2", **_stay()})
    link = html.unescape(BOOK_LINK.search(search.text).group(1))  # type: ignore[union-attr]

    known = await agent.page(link + "&booker_phone=139-1234-5678")
    stranger = await agent.page(link + "&booker_phone=13800000000")

    form = html.unescape(known.text)
    assert '<textarea name="guest_names" rows="3" required>王芳</textarea>' in form
    assert 'name="booker_name" value="王芳"' in form
    assert 'name="member_card" value="M770001"' in form
    assert 'name="booker_phone" type="tel" value="139-1234-5678"' in form
    # The rate plan's own payment mode only: shown, not offered as a choice.
    assert '<input type="hidden" name="payment_mode" value="pay_at_hotel">' in form
    assert '<select name="payment_mode"' not in form and "Prepaid" not in form
    assert 'class="place-bar"' in form
    blank = html.unescape(stranger.text)
    assert 'name="booker_name" value=""' in blank
    assert '<textarea name="guest_names" rows="3" required></textarea>' in blank
