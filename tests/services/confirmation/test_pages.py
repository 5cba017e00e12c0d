"""The queue page as the desk sees it, and who may open the desk at all (CF-1, SL-3)."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.routing import APIRoute

from services.confirmation.endpoints import router
from shared.auth import Role
from shared.clock import clock
from tests.services.confirmation.factories import beijing, place_booking
from tests.services.confirmation.helpers import DESK, queue_json, queue_page

WARNING = re.compile(r'<p class="error" role="alert">More than 15 orders are unsent')


def _confirmation_paths() -> list[str]:
    """Every desk route, as mounted in the all-in-one app, with a sample booking ref."""
    own = [route.path for route in router.routes if isinstance(route, APIRoute)]
    return ["/confirmation" + path.replace("{booking_ref}", "BK000001") for path in own]


async def _place(sessionmaker, count: int) -> None:
    for n in range(count):
        await place_booking(
            sessionmaker, booking_ref=f"Q{n:03d}", check_in=clock.today() + timedelta(days=3)
        )


async def test_cf1_sixteen_unsent_orders_raise_the_warning(login_as, sessionmaker) -> None:
    await _place(sessionmaker, 16)
    desk = await login_as("cora", DESK)
    html = await queue_page(desk)
    assert '<p id="unsent-count" role="status" aria-live="polite">Unsent: 16</p>' in html
    assert WARNING.search(html)
    body = await queue_json(desk)
    assert (body["unsent"], body["unsent_limit"], body["over_limit"]) == (16, 15, True)


async def test_cf1_fifteen_unsent_orders_raise_no_warning(login_as, sessionmaker) -> None:
    await _place(sessionmaker, 15)
    desk = await login_as("cora", DESK)
    html = await queue_page(desk)
    assert "Unsent: 15</p>" in html
    assert not WARNING.search(html) and 'role="alert"' not in html
    assert (await queue_json(desk))["over_limit"] is False


async def test_cf1_unsent_count_ignores_the_filter(login_as, sessionmaker) -> None:
    await _place(sessionmaker, 2)
    desk = await login_as("cora", DESK)
    assert "Unsent: 2</p>" in await queue_page(desk, hotel="no such hotel")


async def test_cf1_empty_queue_says_nothing_is_waiting(login_as) -> None:
    html = await queue_page(await login_as("cora", DESK))
    assert "<h1>Confirmation queue</h1>" in html
    assert "No bookings waiting for confirmation." in html
    assert "Unsent: 0</p>" in html


async def test_in4_urgent_booking_is_tagged_on_the_queue(login_as, sessionmaker) -> None:
    clock.set_now(beijing(2026, 3, 10, 15, 0))
    await place_booking(sessionmaker, booking_ref="URGENT1", check_in=clock.today())
    await place_booking(sessionmaker, booking_ref="CALM1", check_in=clock.today() + timedelta(7))
    html = await queue_page(await login_as("cora", DESK))
    assert re.search(r'URGENT1</a> <span class="tag urgent">urgent</span>', html)
    assert re.search(r"CALM1</a>", html) and not re.search(
        r'CALM1</a> <span class="tag urgent">', html
    )
    assert "hotel: not on file · guest: phone" in html  # the hotel's file has not arrived yet


async def test_queue_links_stay_under_the_mount_point(login_as) -> None:
    html = await queue_page(await login_as("cora", DESK))
    assert 'action="/confirmation/"' in html
    assert 'href="/confirmation/static/roomline.css"' in html


async def test_every_confirmation_route_refuses_an_agent_and_admits_the_desk(login_as) -> None:
    paths = _confirmation_paths()
    assert set(paths) == {
        "/confirmation/",
        "/confirmation/api/tasks",
        "/confirmation/api/tasks/BK000001",
    }
    agent = await login_as("ana", Role.AGENT)
    desk = await login_as("cora", DESK)
    for path in paths:
        refused = await agent.get(path)
        assert refused.status_code == 403, path
        assert refused.json()["error"] == "forbidden"
        assert (await agent.page(path)).status_code == 403, path
        admitted = await desk.get(path)
        assert admitted.status_code in {200, 404}, path  # 404: no task BK000001


async def test_issue15_the_queue_reads_in_chinese(login_as, sessionmaker) -> None:
    clock.set_now(beijing(2026, 3, 10, 15, 0))
    await place_booking(sessionmaker, booking_ref="URGENT1", check_in=clock.today())
    desk = await login_as("cora", DESK)
    switched = await desk.post_form("/language", {"locale": "zh_CN", "next": "/confirmation/"})
    assert switched.status_code == 303, switched.text
    html = await queue_page(desk)
    assert '<html lang="zh-CN">' in html
    for chinese in (
        "<h1>确认队列</h1>",
        "未发送：1</p>",
        "领取最紧急的任务",
        '<span class="tag urgent">加急</span>',
        '<span class="tag kind">新订</span>',
        "酒店：未登记 · 客户：电话",
        "未匹配的回复",
        "截止时间",
    ):
        assert chinese in html
    for english in (
        "Confirmation queue",
        "Unsent:",
        "Claim the most urgent",
        "not on file",
        "Deadline",
    ):
        assert english not in html
