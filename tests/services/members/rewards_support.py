"""Shared set-up of the rewards tests (CS-2): a member with active points, the catalogue."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from services.members.points import ledger
from shared.auth import Role, Staff
from shared.clock import clock
from shared.db import unit_of_work

MEMBERS_API = "/members/api/members"
REDEEM_API = "/members/api/rewards/redemptions"


async def member_with_points(
    client: Any, sessionmaker: Any, points: int, card: str = "M123456"
) -> str:
    """A member (made through the API) with ``points`` active points (a final stay)."""
    body = {"card_no": card, "name": "王芳", "phones": ["13912345678"], "level": "gold"}
    made = await client.post_json(MEMBERS_API, body)
    assert made.status_code == 201, made.text
    member_id: str = made.json()["member_id"]
    if points:
        async with unit_of_work(sessionmaker) as session:
            await ledger.earn(
                session, member_id=uuid.UUID(member_id), source=f"stay:{uuid.uuid4()}",
                points=points, earned_at=clock.now(), final_on=clock.today(),
                expires_on=clock.today() + timedelta(days=730), actor="tests",
            )  # fmt: skip
    return member_id


async def add_reward(client: Any, code: str, points: int, name_en: str = "Suitcase") -> str:
    """A reward added through the catalogue page (each test empties the migration's seed)."""
    form = {"code": code, "name_zh": "行李箱", "name_en": name_en, "points": str(points),
            "active": "true"}  # fmt: skip
    added = await client.post_form("/members/rewards/catalogue", form)
    assert added.status_code == 303, added.text
    rewards = await client.get("/members/api/rewards")
    assert rewards.status_code == 200, rewards.text
    return next(r["reward_id"] for r in rewards.json() if r["code"] == code)


def redemption_body(member_id: str, reward: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "member_id": member_id,
        "reward_id": reward,
        "quantity": 1,
        "delivery": "post",
        "office": "上海办事处",
        "address": "上海市静安区南京西路 1266 号",
        "confirmed": True,
    }
    return {**body, **overrides}


async def balance(sessionmaker: Any, member_id: str) -> ledger.PointsBalance:
    async with sessionmaker() as session:
        return await ledger.balance(session, member_id=uuid.UUID(member_id))


async def submitted_redemption(sessionmaker: Any, member_id: str) -> tuple[str, str]:
    """A reward and a redemption of it, filled by another desk person ("desk"), awaiting the
    general manager: (reward_id, redemption_id). The member gets the points it needs."""
    from services.members.rewards import service

    desk = Staff(0, "desk", "Desk", (Role.CUSTOMER_SERVICE.value,), "")
    member = uuid.UUID(member_id)
    async with unit_of_work(sessionmaker) as session:
        await ledger.earn(
            session, member_id=member, source=f"stay:{uuid.uuid4()}", points=1000,
            earned_at=clock.now(), final_on=clock.today(),
            expires_on=clock.today() + timedelta(days=730), actor="tests",
        )  # fmt: skip
        data = service.RewardIn(
            code="MOVIE-2", name_zh="电影票两张", name_en="Tickets", points=1000
        )
        reward = await service.add_reward(session, actor=desk, data=data)
        body = redemption_body(member_id, str(reward))
        made = await service.redeem(session, actor=desk, data=service.RedemptionIn(**body))
    return str(reward), str(made)
