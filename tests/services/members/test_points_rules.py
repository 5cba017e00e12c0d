"""The points rules page (CS-5: points per unit of room revenue and per night, configurable per
level): customer service and the general manager set a rule, audited, and the next stay earns
by it; bad input is refused beside its field and writes nothing; other desks are refused."""

from __future__ import annotations

import re

from sqlalchemy import text

from shared.auth import Role
from tests.services.members import points_support as ps

PAGE = "/members/points/rules"


async def _audits(sessionmaker) -> int:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        query = "SELECT count(*) FROM members.audit_log WHERE entity = 'points_rule'"
        return int(await session.scalar(text(query)) or 0)


async def test_cs5_the_general_manager_sets_a_rule_and_the_next_stay_earns_by_it(
    login_as, sessionmaker
) -> None:  # type: ignore[no-untyped-def]
    """CS-5: a rule set on the page (audited, shown in the table) decides the next stay's
    points."""
    await ps.rule(sessionmaker, "silver", "CNY", "0.12", 15)
    gm = await login_as("gao", Role.GENERAL_MANAGER)
    body = {
        "level": "silver",
        "currency": "cny",
        "points_per_unit": "0.50",
        "points_per_night": "5",
    }

    response = await gm.post_form(PAGE, body)

    assert response.status_code == 303, response.text
    page = await gm.get(PAGE + "?saved=1")
    assert page.status_code == 200 and "Saved" in page.text
    assert re.search(r"<td>CNY</td>\s*<td>Silver</td>\s*<td[^>]*>0\.50</td>", page.text)
    assert await _audits(sessionmaker) == 2  # the helper's, then the page's
    member_id = await ps.member(sessionmaker, level="silver")
    await ps.outcome(sessionmaker, ps.stayed(ps.booking(nights=2), 1, revenue=100_099))
    assert (await ps.balance(sessionmaker, member_id)).earned == 500 + 10  # ¥1,000 × 0.5


async def test_cs5_a_bad_rule_is_refused_beside_its_field_and_writes_nothing(
    login_as, sessionmaker
) -> None:  # type: ignore[no-untyped-def]
    """CS-5: a negative rate, a currency that is not a code, a night count that is not a
    number: the page again (422) with the error beside the field; nothing written."""
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    body = {"level": "gold", "currency": "CNY", "points_per_unit": "0.15", "points_per_night": "20"}
    for bad, field in (
        ({"points_per_unit": "-0.10"}, "points_per_unit"),
        ({"points_per_unit": "0.123"}, "points_per_unit"),
        ({"currency": "yuan"}, "currency"),
        ({"points_per_night": "many"}, "points_per_night"),
        ({"level": "diamond"}, "level"),
    ):
        response = await desk.post_form(PAGE, {**body, **bad})
        assert response.status_code == 422, (bad, response.text)
        assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', response.text), bad
    assert await _audits(sessionmaker) == 0


async def test_cs5_only_customer_service_and_the_general_manager_see_the_rules(login_as) -> None:  # type: ignore[no-untyped-def]
    """CS-5: the booking desk neither reads nor changes the rules."""
    agent = await login_as("ana", Role.AGENT)
    assert (await agent.get(PAGE)).status_code == 403
    body = {"level": "gold", "currency": "CNY", "points_per_unit": "9", "points_per_night": "9"}
    assert (await agent.post_form(PAGE, body)).status_code == 403
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    filled = await desk.get(PAGE + "?level=gold&currency=CNY")
    assert filled.status_code == 200 and "No rules yet" in filled.text
