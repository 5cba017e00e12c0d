"""IN-2 / HR-2: per-night sales restrictions kept by hotel resources, set in bulk over a range
and chosen weekdays, audited, and published to the booking desk as one event; CF-3 full house."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from services.contracts.grid.restrictions import set_room_status_full
from shared.auth import Role
from shared.clock import clock
from shared.db import unit_of_work
from tests.services.contracts.helpers import API, night, set_up_hotel

EVENT = "contracts.restrictions_set"


async def written(sessionmaker: Any) -> dict[str, int]:
    """Rows a restrictions edit writes."""
    queries = {
        "restrictions": "SELECT count(*) FROM contracts.night_restriction",
        "events": f"SELECT count(*) FROM contracts.outbox WHERE name = '{EVENT}'",
        "audit": "SELECT count(*) FROM contracts.audit_log WHERE action LIKE 'set_r%'",
    }
    async with sessionmaker() as session:
        return {k: int(await session.scalar(text(q)) or 0) for k, q in queries.items()}


async def stored(sessionmaker: Any, room_type_id: str) -> dict[date, dict[str, Any]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text("SELECT * FROM contracts.night_restriction WHERE room_type_id = :id"),
            {"id": uuid.UUID(room_type_id)},
        )
        return {r.night: dict(r._mapping) for r in rows}


async def events(sessionmaker: Any) -> list[dict[str, Any]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text("SELECT payload FROM contracts.outbox WHERE name = :n ORDER BY created_at"),
            {"n": EVENT},
        )
        return [r.payload for r in rows]


async def test_in2_bulk_edit_touches_only_the_chosen_weekdays_audits_and_publishes_once(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    first, last = clock.today() + timedelta(days=1), clock.today() + timedelta(days=21)
    weekend = [
        first + timedelta(d) for d in range(21) if (first + timedelta(d)).weekday() in (5, 6)
    ]
    body = {
        "room_type_id": ids["room_type_id"],
        "first_night": first.isoformat(),
        "last_night": last.isoformat(),
        "weekdays": [5, 6],
        "min_stay": 2,
        "stop_sell": True,
    }

    response = await desk.request_json("PUT", f"{API}/restrictions", body)

    assert response.status_code == 200, response.text
    assert response.json()["nights"] == len(weekend) == 6
    rows = await stored(sessionmaker, ids["room_type_id"])
    assert sorted(rows) == weekend
    assert all(r["min_stay"] == 2 and r["stop_sell"] for r in rows.values())
    assert all(r["release_days"] == 0 and r["room_status"] == "available" for r in rows.values())
    assert await written(sessionmaker) == {"restrictions": 6, "events": 1, "audit": 1}
    [event] = await events(sessionmaker)
    assert event["hotel_id"] == ids["hotel_id"] and event["room_type_id"] == ids["room_type_id"]
    assert [n["night"] for n in event["nights"]] == [n.isoformat() for n in weekend]
    assert event["nights"][0] == {
        "night": weekend[0].isoformat(), "release_days": 0, "min_stay": 2,
        "closed_to_arrival": False, "closed_to_departure": False, "stop_sell": True,
        "room_status": "available",
    }  # fmt: skip

    # A second edit sets only what it names: the weekend's min stay and stop-sell stay.
    second = {**body, "weekdays": [], "room_status": "on_request"}
    del second["min_stay"], second["stop_sell"]
    assert (await desk.request_json("PUT", f"{API}/restrictions", second)).status_code == 200
    rows = await stored(sessionmaker, ids["room_type_id"])
    assert len(rows) == 21 and all(r["room_status"] == "on_request" for r in rows.values())
    assert [n for n, r in sorted(rows.items()) if r["stop_sell"] and r["min_stay"] == 2] == weekend
    async with sessionmaker() as session:
        audit = (
            await session.execute(
                text(
                    "SELECT actor, before, after FROM contracts.audit_log "
                    "WHERE action = 'set_restrictions' ORDER BY audit_id DESC LIMIT 1"
                )
            )
        ).one()
    assert audit.actor == "hua" and audit.after["set"] == {"room_status": "on_request"}
    assert audit.before["restrictions_by_night"][weekend[0].isoformat()]["min_stay"] == 2


@pytest.mark.parametrize(
    ("change", "status", "names"),
    [
        ({"first_night": night(-1)}, 422, "first_night"),
        ({"first_night": night(5), "last_night": night(3)}, 422, "last_night"),
        ({"min_stay": 0}, 422, "min_stay"),
        ({"release_days": -1}, 422, "release_days"),
        ({"room_status": "closed"}, 422, "room_status"),
        ({"weekdays": [7]}, 422, "weekdays"),
        ({"room_type_id": str(uuid.uuid4())}, 404, "room_type_id"),
        ({"min_stay": None}, 422, "room_status"),  # nothing to set
    ],
)
async def test_in2_bad_restrictions_are_refused_and_write_nothing(
    login_as, sessionmaker, change: dict[str, Any], status: int, names: str
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    body = {
        "room_type_id": ids["room_type_id"],
        "first_night": night(1),
        "last_night": night(3),
        "min_stay": 2,
        **change,
    }

    response = await desk.request_json("PUT", f"{API}/restrictions", body)

    assert response.status_code == status, response.text
    assert names in response.text
    assert await written(sessionmaker) == {"restrictions": 0, "events": 0, "audit": 0}


async def test_in2_other_desks_get_403_on_restrictions(login_as, sessionmaker) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    agent = await login_as("ana", Role.AGENT)
    body = {"room_type_id": ids["room_type_id"], "first_night": night(1), "last_night": night(2)}
    put = await agent.request_json("PUT", f"{API}/restrictions", {**body, "stop_sell": True})
    assert put.status_code == 403
    calendar = f"/contracts/hotels/{ids['hotel_id']}/calendar"
    assert (await agent.page(calendar)).status_code == 403
    assert (await agent.post_form(calendar, {**body, "stop_sell": "true"})).status_code == 403
    assert await written(sessionmaker) == {"restrictions": 0, "events": 0, "audit": 0}


async def test_in2_calendar_page_shows_the_grid_and_sets_restrictions_from_the_form(
    login_as, sessionmaker
) -> None:
    desk = await login_as("wu", Role.RESOURCES_DIRECTOR)
    ids = await set_up_hotel(desk)
    calendar = f"/contracts/hotels/{ids['hotel_id']}/calendar"
    hotel_page = await desk.page(f"/contracts/hotels/{ids['hotel_id']}")
    assert f"/hotels/{ids['hotel_id']}/calendar" in hotel_page.text
    tomorrow = clock.today() + timedelta(days=1)
    form = {
        "room_type_id": ids["room_type_id"],
        "first_night": tomorrow.isoformat(),
        "last_night": (tomorrow + timedelta(days=6)).isoformat(),
        "weekdays": [str(tomorrow.weekday())],
        "room_status": "full",
        "min_stay": "",
        "release_days": "",
    }

    response = await desk.post_form(calendar, form)

    assert response.status_code == 303, response.text
    assert list(await stored(sessionmaker, ids["room_type_id"])) == [tomorrow]
    page = await desk.page(calendar + "?saved=1")
    assert page.status_code == 200
    assert "Deluxe King: rooms" in page.text and "FULL" in page.text
    assert "Saved: 1 night(s)" in page.text and 'name="csrf_token"' in page.text

    bad = await desk.post_form(calendar, {**form, "min_stay": "0", "room_status": ""})
    assert bad.status_code == 422 and "min stay" in bad.text
    assert await written(sessionmaker) == {"restrictions": 1, "events": 1, "audit": 1}


async def test_cf3_full_house_sets_room_status_full_with_the_reason_and_publishes(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    await desk.request_json(
        "PUT",
        f"{API}/restrictions",
        {"room_type_id": ids["room_type_id"], "first_night": night(3), "last_night": night(3),
         "min_stay": 2},
    )  # fmt: skip
    nights = [clock.today() + timedelta(days=d) for d in (3, 4)]

    async with unit_of_work(sessionmaker) as session:
        count = await set_room_status_full(
            session,
            actor="confirmation:li",
            room_type_id=uuid.UUID(ids["room_type_id"]),
            nights=[*nights, clock.today() - timedelta(days=1)],
            reason="Hotel fax: full house, tour group",
        )

    assert count == 2
    rows = await stored(sessionmaker, ids["room_type_id"])
    assert {n: (r["room_status"], r["min_stay"]) for n, r in rows.items()} == {
        nights[0]: ("full", 2),
        nights[1]: ("full", 1),
    }
    last = (await events(sessionmaker))[-1]
    assert [(n["night"], n["room_status"]) for n in last["nights"]] == [
        (n.isoformat(), "full") for n in nights
    ]
    async with sessionmaker() as session:
        after = await session.scalar(
            text("SELECT after FROM contracts.audit_log WHERE action = 'set_room_status_full'")
        )
    assert after["reason"] == "Hotel fax: full house, tour group"


async def test_the_calendar_reads_in_chinese(login_as) -> None:
    """Issue 15: with roomline_locale=zh_CN the rates-and-inventory calendar speaks the desk's
    words (房态, 满房, 停售, 房量, 周一…) from the catalogs, and no English label is left."""
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    calendar = f"/contracts/hotels/{ids['hotel_id']}/calendar"
    tomorrow = clock.today() + timedelta(days=1)
    body = {
        "room_type_id": ids["room_type_id"],
        "first_night": tomorrow.isoformat(),
        "last_night": tomorrow.isoformat(),
        "room_status": "full",
        "stop_sell": "true",
    }
    assert (await desk.post_form(calendar, body)).status_code == 303
    switched = await desk.post_form("/language", {"locale": "zh_CN", "next": calendar})
    assert switched.status_code == 303

    page = await desk.page(calendar + "?saved=1")
    assert page.status_code == 200 and '<html lang="zh-CN">' in page.text
    for chinese in ("房价与房态", "Deluxe King：房量", "房态", "满房", "停售", "可订", "周一"):
        assert chinese in page.text, chinese
    assert "已保存：1 晚已设置，并已发布给预订部。" in page.text
    assert "按日期范围设置销售限制" in page.text and "设置并发布" in page.text
    assert 'value="on_request"' in page.text  # what the server reads is unchanged
    for english in (
        "Rates and inventory",
        ": rooms",
        ">avail<",
        ">FULL<",
        "Set and publish",
        ">Mon<",
    ):
        assert english not in page.text, english

    hotel = await desk.page(f"/contracts/hotels/{ids['hotel_id']}")
    for chinese in ("设置配额", "价格计划", "底价", "卖价", "投诉"):
        assert chinese in hotel.text, chinese
    assert "Set allotment" not in hotel.text and "Complaints" not in hotel.text
