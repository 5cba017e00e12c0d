"""Issue 18 acceptance (CS-3, HR-12, IN-8, SL-5) through the real event pipeline (relay and
workers as in tests/e2e/test_desk_sla_pipeline.py): a hotel created in contracts reaches the
members service's hotel list; a major complaint about it filed through the members API
reaches the hotel's file in contracts (HR-12), the caller panel's compensation prompt in
intake (IN-8) and the department's list of internal forms in intake (CS-3); the department's
answer there comes back as the complaint's findings (SL-5's department clock stops)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from tests.services.contracts.helpers import hotel_body
from tests.services.members.complaints_support import (
    beijing,
    file,
    new_member,
    outbox,
)
from tests.support.pipeline import eventually, running_pipeline

SUMMARY = "前台拒绝换房，房间有烟味"
REPLY = "已约谈前台经理，酒店同意升级房型并致歉"


async def test_major_hotel_complaint_reaches_contracts_intake_and_comes_back_answered(
    login_as, sessionmaker
) -> None:
    """HR-12, IN-8, CS-3, SL-5 end to end."""
    clock.set_now(beijing(2026, 12, 7, 10, 0))
    resources = await login_as("hana", Role.HOTEL_RESOURCES)
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    agent = await login_as("ana", Role.AGENT)

    async with running_pipeline(("contracts", "members", "intake")):
        created = await resources.post_json("/contracts/api/hotels", hotel_body())
        assert created.status_code == 201, created.text
        hotel_id = uuid.UUID(created.json()["hotel_id"])

        async def hotel_known() -> int:
            async with sessionmaker() as session:
                sql = "SELECT count(*) FROM members.complaint_hotel WHERE hotel_id = :h"
                return int(await session.scalar(text(sql), {"h": hotel_id}) or 0)

        await eventually(hotel_known)
        member = await new_member(desk)
        filed = await file(
            desk, member_id=member["member_id"], hotel_id=str(hotel_id), severity="major",
            summary=SUMMARY,
        )  # fmt: skip

        async def on_hotel_file() -> bool:
            page = await resources.page(f"/contracts/hotels/{hotel_id}")
            return SUMMARY in page.text

        async def prompt() -> list[str]:
            found = await agent.get("/intake/api/callers", params={"card": member["card_no"]})
            return list(found.json()["prompts"])

        async def memo() -> dict[str, Any] | None:
            items = (await resources.get("/intake/api/memos")).json()["items"]
            return next((m for m in items if SUMMARY in m.get("description", "")), None)

        assert await eventually(on_hotel_file)  # HR-12
        [said] = await eventually(prompt)  # IN-8
        assert str(filed["complaint_no"]) in said
        found = await eventually(memo)  # CS-3: the department's internal form
        answered = await resources.post_json(
            f"/intake/api/memos/{found['memo_id']}/replies", {"status": "answered", "body": REPLY}
        )
        assert answered.status_code == 200, answered.text

        async def findings() -> str:
            body = (await desk.get(f"/members/api/complaints/{filed['complaint_id']}")).json()
            return str(body["findings"])

        assert await eventually(findings) == REPLY
    [stage] = await outbox(sessionmaker, "members.complaint_answered")
    assert stage["stage"] == "department"
