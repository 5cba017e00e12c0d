"""CS-2 redemption through the JSON API: the desk's form locks the member's points, the general
manager approves (spent) or rejects (released); the desk's approve and the maker's own are
refused; a member never redeems more than they have, also with two forms raced at once."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from tests.services.members.rewards_support import (
    REDEEM_API,
    add_reward,
    balance,
    member_with_points,
    redemption_body,
)


async def _written(sessionmaker) -> dict[str, int]:
    queries = {
        "redemptions": "SELECT count(*) FROM members.redemption",
        "moves": "SELECT count(*) FROM members.points_move WHERE redemption_id IS NOT NULL",
        "audit": "SELECT count(*) FROM members.audit_log WHERE entity = 'redemption'",
    }
    async with sessionmaker() as session:
        return {k: int(await session.scalar(text(q)) or 0) for k, q in queries.items()}


async def _setup(login_as, sessionmaker, points: int, price: int = 8000):
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    boss = await login_as("gao", Role.GENERAL_MANAGER)
    member = await member_with_points(desk, sessionmaker, points)
    reward = await add_reward(desk, "NIGHT-1", price)
    return desk, boss, member, reward


async def test_cs2_redeem_locks_points_and_approval_spends_them(login_as, sessionmaker) -> None:
    """CS-2: the form locks the points; the general manager's approval spends them."""
    desk, boss, member, reward = await _setup(login_as, sessionmaker, 10_000)

    made = await desk.post_json(REDEEM_API, redemption_body(member, reward))

    assert made.status_code == 201, made.text
    assert made.json()["status"] == "submitted" and made.json()["points"] == 8000
    locked = await balance(sessionmaker, member)
    assert (locked.active, locked.locked, locked.spent) == (2000, 8000, 0)
    path = f"{REDEEM_API}/{made.json()['redemption_id']}"
    approved = await boss.post_json(f"{path}/approve", {"note": "ok"})
    assert approved.status_code == 200, approved.text
    quarter = f"{clock.today().year}Q{(clock.today().month - 1) // 3 + 1}"
    assert approved.json()["status"] == "approved"
    assert approved.json()["batch_quarter"] == quarter and approved.json()["decided_by"] == "gao"
    spent = await balance(sessionmaker, member)
    assert (spent.active, spent.locked, spent.spent) == (2000, 0, 8000) and spent.adds_up


async def test_cs2_rejection_releases_the_locked_points(login_as, sessionmaker) -> None:
    """CS-2: a rejection (with its reason) gives the points back: locked → active."""
    desk, boss, member, reward = await _setup(login_as, sessionmaker, 10_000)
    made = (await desk.post_json(REDEEM_API, redemption_body(member, reward))).json()
    path = f"{REDEEM_API}/{made['redemption_id']}"

    no_reason = await boss.post_json(f"{path}/reject", {"reason": ""})
    rejected = await boss.post_json(f"{path}/reject", {"reason": "Prize out of stock"})

    assert no_reason.status_code == 422 and no_reason.json()["fields"][0]["field"] == "reason"
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_note"] == "Prize out of stock"
    back = await balance(sessionmaker, member)
    assert (back.active, back.locked, back.spent) == (10_000, 0, 0) and back.adds_up
    again = await boss.post_json(f"{path}/approve", {})
    assert again.status_code == 409  # decided already: nothing spent
    assert (await balance(sessionmaker, member)).spent == 0


async def test_cs2_desk_approve_is_403_and_the_maker_never_approves(login_as, sessionmaker) -> None:
    """CS-2 maker-checker: the desk's approve is a 403 (role); a person holding both roles
    cannot approve (or reject) the form they filled; the points stay locked."""
    desk, _boss, member, reward = await _setup(login_as, sessionmaker, 20_000)
    both = await login_as("wu", Role.CUSTOMER_SERVICE, Role.GENERAL_MANAGER)
    own = (await both.post_json(REDEEM_API, redemption_body(member, reward))).json()
    other = (await desk.post_json(REDEEM_API, redemption_body(member, reward))).json()

    by_desk = await desk.post_json(f"{REDEEM_API}/{other['redemption_id']}/approve", {})
    by_maker = await both.post_json(f"{REDEEM_API}/{own['redemption_id']}/approve", {})
    reject_own = await both.post_json(
        f"{REDEEM_API}/{own['redemption_id']}/reject", {"reason": "mine"}
    )
    page = await both.post_form(f"/members/rewards/redemptions/{own['redemption_id']}/approve", {})

    assert by_desk.status_code == 403
    assert by_maker.status_code == 403 and reject_own.status_code == 403
    assert page.status_code == 403 and "another person" in page.text
    held = await balance(sessionmaker, member)
    assert (held.active, held.locked, held.spent) == (4000, 16_000, 0)
    by_other = await both.post_json(f"{REDEEM_API}/{other['redemption_id']}/approve", {})
    assert by_other.status_code == 200, by_other.text  # wu did not fill this one
    assert (await balance(sessionmaker, member)).spent == 8000


async def test_cs2_a_member_cannot_redeem_more_than_they_have(login_as, sessionmaker) -> None:
    """CS-2: beyond the member's active points: 409 with the points named, nothing written."""
    desk, _boss, member, reward = await _setup(login_as, sessionmaker, 7999)

    refused = await desk.post_json(REDEEM_API, redemption_body(member, reward))
    two = await desk.post_json(REDEEM_API, redemption_body(member, reward, quantity=2))

    assert refused.status_code == 409, refused.text
    assert "7999" in refused.json()["detail"] and "8000" in refused.json()["detail"]
    assert two.status_code == 409
    assert await _written(sessionmaker) == {"redemptions": 0, "moves": 0, "audit": 0}
    assert (await balance(sessionmaker, member)).active == 7999


async def test_cs2_two_redemptions_raced_exactly_one_wins(login_as, sessionmaker) -> None:
    """CS-2: two desks send a form for the same member at once; the member has points for
    one: exactly one succeeds, the other is a 409, the balance adds up, active never < 0."""
    desk, _boss, member, reward = await _setup(login_as, sessionmaker, 12_000)
    other = await login_as("lan", Role.CUSTOMER_SERVICE)

    results = await asyncio.gather(
        desk.post_json(REDEEM_API, redemption_body(member, reward)),
        other.post_json(REDEEM_API, redemption_body(member, reward)),
    )

    assert sorted(r.status_code for r in results) == [201, 409], [r.text for r in results]
    held = await balance(sessionmaker, member)
    assert (held.active, held.locked) == (4000, 8000) and held.adds_up
    written = await _written(sessionmaker)
    assert written["redemptions"] == 1 and written["audit"] == 1


async def test_cs2_approve_and_reject_raced_one_wins_the_other_409(login_as, sessionmaker) -> None:
    """CS-2: approve and reject of one redemption at once: the row lock lets one decide; the
    other finds it decided (409). The points are either spent or released, never both."""
    desk, boss, member, reward = await _setup(login_as, sessionmaker, 8000)
    second = await login_as("hu", Role.GENERAL_MANAGER)
    made = (await desk.post_json(REDEEM_API, redemption_body(member, reward))).json()
    path = f"{REDEEM_API}/{made['redemption_id']}"

    results = await asyncio.gather(
        boss.post_json(f"{path}/approve", {}),
        second.post_json(f"{path}/reject", {"reason": "No budget this quarter"}),
    )

    assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
    final = await balance(sessionmaker, member)
    assert final.locked == 0 and final.adds_up
    assert (final.spent, final.active) in ((8000, 0), (0, 8000))


async def test_cs2_desk_withdraws_a_submitted_redemption(login_as, sessionmaker) -> None:
    """CS-2: the member changed their mind before the decision: the points go back."""
    desk, boss, member, reward = await _setup(login_as, sessionmaker, 8000)
    made = (await desk.post_json(REDEEM_API, redemption_body(member, reward))).json()
    path = f"{REDEEM_API}/{made['redemption_id']}"

    withdrawn = await desk.post_json(f"{path}/withdraw", {})

    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert (await balance(sessionmaker, member)).active == 8000
    assert (await boss.post_json(f"{path}/approve", {})).status_code == 409


async def test_cs2_bad_redemption_input_is_422_naming_the_field(login_as, sessionmaker) -> None:
    """CS-2 input bounds: quantity 1–10, reason ≤300, office and address for the post, the
    desk's confirmation with the member; refused with the field named, nothing written."""
    desk, _boss, member, reward = await _setup(login_as, sessionmaker, 50_000)
    bad = [
        ({"quantity": 0}, "quantity"),
        ({"quantity": 11}, "quantity"),
        ({"exception_requested": True, "exception_reason": "x" * 301}, "exception_reason"),
        ({"exception_requested": True, "exception_reason": ""}, "exception_reason"),
        ({"office": "o" * 61}, "office"),
        ({"address": ""}, "address"),
        ({"address": "a" * 301}, "address"),
        ({"confirmed": False}, "confirmed"),
        ({"delivery": "drone"}, "delivery"),
    ]
    for override, field in bad:
        response = await desk.post_json(REDEEM_API, redemption_body(member, reward, **override))
        assert response.status_code == 422, (override, response.text)
        assert response.json()["fields"][0]["field"] == field, (override, response.json())
    assert await _written(sessionmaker) == {"redemptions": 0, "moves": 0, "audit": 0}
    assert (await balance(sessionmaker, member)).active == 50_000
