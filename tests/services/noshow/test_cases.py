"""The desk's work on a case through its pages: calls (NS-2, NS-4), provisional → final only
after a second check by the desk (NS-5), the correction to stayed exactly once (NS-3), and the
read-only lookup for agents (NS-5)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from services.noshow.models import NoShowCase
from services.noshow.worklist import open_worklist
from shared.auth import Role
from shared.clock import clock
from shared.db import unit_of_work
from shared.events.contracts import ContractEffectiveV1
from tests.services.noshow.factories import PEACE, beijing, confirmed_booking, deliver, outbox

YESTERDAY = date(2026, 12, 6)


def _terms(fee: str) -> ContractEffectiveV1:
    return ContractEffectiveV1(
        hotel_id=PEACE, contract_id=uuid.uuid4(), version_id=uuid.uuid4(), version_no=1,
        valid_from=YESTERDAY, valid_to=date(2027, 12, 31), payment_arrangement="prepaid",
        guaranteed=True, no_show_fee=fee,
    )  # fmt: skip


async def _case(sessionmaker, *, nights: int = 2):  # type: ignore[no-untyped-def]
    clock.set_now(beijing(2026, 12, 6, 12, 0))
    booking = await confirmed_booking(sessionmaker, check_in=YESTERDAY, nights=nights)
    clock.set_now(beijing(2026, 12, 7, 6, 0))
    async with unit_of_work(sessionmaker) as session:
        (case,) = await open_worklist(session, clock.now())
    return booking, case.case_id


async def _act(client, case_id, action: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    """Post one of the case page's forms as the browser does and open the page it leads to."""
    posted = await client.post_form(f"/noshow/cases/{case_id}/{action}", data)
    assert posted.status_code == 303, posted.text[:500]
    return await client.page(posted.headers["location"])


async def _state(sessionmaker, case_id) -> str:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        return str(
            await session.scalar(select(NoShowCase.state).where(NoShowCase.case_id == case_id))
        )


async def test_ns5_final_needs_a_second_check_by_the_desk_and_agents_get_403(
    login_as, sessionmaker
) -> None:  # type: ignore[no-untyped-def]
    """NS-5: provisional first; an agent cannot do the second check (403, nothing changes);
    the desk's second check makes it final with the contract's fee (none here), and the agent
    then reads the record read-only."""
    booking, case_id = await _case(sessionmaker)
    await deliver(sessionmaker, _terms("first_night"), source="contracts", version=1)
    nina = await login_as("nina", Role.NOSHOW_DESK)
    page = await nina.page("/noshow/")
    assert page.status_code == 200 and booking.booking_ref in page.text
    called = await _act(
        nina,
        case_id,
        "calls",
        {"reached": "true", "reason_category": "changed_plans", "suggestion": "SMS reminders"},
    )
    assert called.status_code == 200 and "SMS reminders" in called.text
    await _act(nina, case_id, "provisional", {})
    assert await _state(sessionmaker, case_id) == "provisional"

    ana = await login_as("ana", Role.AGENT)
    refused = await ana.post_form(
        f"/noshow/cases/{case_id}/second-check",
        {"hotel_contact": "Front desk", "hotel_said": "no show", "guest_stayed": "no"},
    )
    assert refused.status_code == 403
    assert await _state(sessionmaker, case_id) == "provisional"

    done = await _act(
        nina,
        case_id,
        "second-check",
        {
            "hotel_contact": "Ms Zhou, front desk",
            "hotel_said": "Never arrived",
            "guest_stayed": "no",
        },
    )
    assert done.status_code == 200
    assert await _state(sessionmaker, case_id) == "final"
    recorded = await outbox(sessionmaker, "noshow.no_show_recorded")
    assert [(e["stage"], e["outcome_version"], e["reason_category"]) for e in recorded] == [
        ("provisional", 1, "changed_plans"),
        ("final", 2, "changed_plans"),
    ]
    # NS-7: the contract's fee, first night's sell of all rooms, only once final.
    assert [(e["no_show_fee"], e["fee_minor"]) for e in recorded] == [
        ("first_night", 0),
        ("first_night", 68800),
    ]
    finished = await outbox(sessionmaker, "noshow.case_finished")
    assert [e["outcome"] for e in finished] == ["no_show"]

    record = await ana.get(f"/noshow/api/records/{booking.booking_ref}")
    assert record.status_code == 200 and record.json()["state"] == "final"
    assert (await ana.page(f"/noshow/lookup?booking_ref={booking.booking_ref}")).status_code == 200
    assert (await ana.page("/noshow/")).status_code == 403
    manager = await login_as("gm", Role.GENERAL_MANAGER)
    assert "SMS reminders" in (await manager.page("/noshow/suggestions")).text


async def test_ns3_correction_publishes_the_compensating_outcome_exactly_once(
    login_as, sessionmaker
) -> None:  # type: ignore[no-untyped-def]
    """NS-3: a final no-show corrected to stayed publishes one StayCompletedV1 naming the final
    outcome's version; a second correction is refused and publishes nothing; a correction
    without a note is refused next to its field and changes nothing."""
    booking, case_id = await _case(sessionmaker)
    nina = await login_as("nina", Role.NOSHOW_DESK)
    await _act(nina, case_id, "provisional", {})
    await _act(
        nina,
        case_id,
        "second-check",
        {"hotel_contact": "Front desk", "hotel_said": "No show", "guest_stayed": "no"},
    )
    empty = await nina.post_form(f"/noshow/cases/{case_id}/correct", {"note": ""})
    assert empty.status_code == 422 and await _state(sessionmaker, case_id) == "final"

    clock.set_now(beijing(2026, 12, 8, 10, 0))
    fixed = await _act(nina, case_id, "correct", {"note": "Folio shows two nights"})
    assert fixed.status_code == 200 and await _state(sessionmaker, case_id) == "stayed"
    again = await nina.post_form(f"/noshow/cases/{case_id}/correct", {"note": "again"})
    assert again.status_code == 409

    (completed,) = await outbox(sessionmaker, "noshow.stay_completed")
    assert completed["booking_ref"] == booking.booking_ref
    assert (completed["outcome_version"], completed["corrects_version"]) == (3, 2)
    assert completed["room_revenue_minor"] == 2 * 68800 and len(completed["nights"]) == 2
    assert completed["_version"] == 3  # the envelope's aggregate version orders outcomes
    # Finished once (as a final no-show); the correction does not finish it again (SL-4).
    assert len(await outbox(sessionmaker, "noshow.case_finished")) == 1
