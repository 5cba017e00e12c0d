"""Filing a complaint (CS-3, HR-12, IN-8, SL-5): one transaction writes it, its thread and
audit, routes it to the department (``members.complaint_routed`` with the due times of
``shared.complaint_clock``) and tells contracts when it names a hotel
(``members.complaint_filed``); a major one flags the member for compensation. Bad input is
refused with the field named and writes nothing."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from tests.services.members.complaints_support import (
    API,
    PAGES,
    beijing,
    complaint_body,
    count,
    file,
    new_member,
    outbox,
    publish_hotel,
)


def at(text: str) -> datetime:
    return clock.local(datetime.fromisoformat(text))


async def test_sl5_complaint_at_1630_is_due_from_the_department_at_1700(
    login_as, sessionmaker
) -> None:
    """SL-5 / CS-3: filed at 16:30, the department's findings are due at 17:00 the same day;
    the complaint is routed (intake's form, metrics' clocks) but names no hotel, so contracts
    hears nothing."""
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    clock.set_now(beijing(2026, 12, 7, 16, 30))

    filed = await file(desk)

    [routed] = await outbox(sessionmaker, "members.complaint_routed")
    assert routed["complaint_id"] == filed["complaint_id"]
    assert at(routed["department_due_at"]) == beijing(2026, 12, 7, 17, 0)
    assert at(routed["progress_due_at"]) == beijing(2026, 12, 8, 4, 30)
    assert routed["department"] == "hotel_resources" and routed["routed_by"] == "mei"
    assert await outbox(sessionmaker, "members.complaint_filed") == []  # no hotel: not HR-12
    assert await count(sessionmaker, "SELECT count(*) FROM members.complaint_step") == 1
    assert await count(
        sessionmaker, "SELECT count(*) FROM members.audit_log WHERE entity = 'complaint'"
    ) == 1  # fmt: skip


async def test_sl5_complaint_at_1800_needs_progress_by_0600_and_final_by_1800_next_day(
    login_as, sessionmaker
) -> None:
    """SL-5: filed at 18:00 (after 17:00), the department has until 17:00 the next day; the
    member a progress answer by 06:00 and the final one by 18:00 the next day."""
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    clock.set_now(beijing(2026, 12, 7, 18, 0))

    await file(desk)

    [routed] = await outbox(sessionmaker, "members.complaint_routed")
    assert at(routed["department_due_at"]) == beijing(2026, 12, 8, 17, 0)
    assert at(routed["progress_due_at"]) == beijing(2026, 12, 8, 6, 0)
    assert at(routed["final_due_at"]) == beijing(2026, 12, 8, 18, 0)


async def test_hr12_hotel_complaint_is_filed_for_contracts_with_the_hotels_name(
    login_as, sessionmaker
) -> None:
    """HR-12: a complaint naming a hotel (from the projection of contracts.hotel_published)
    publishes members.complaint_filed too; the routed form carries the hotel's name."""
    hotel_id = await publish_hotel(sessionmaker, name="和平饭店", version=3)
    await publish_hotel(sessionmaker, name="旧名字", version=2, hotel_id=hotel_id)  # late, older
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)

    filed = await file(desk, hotel_id=str(hotel_id), booking_ref="RL-1001")

    assert filed["hotel_name"] == "和平饭店"
    [event] = await outbox(sessionmaker, "members.complaint_filed")
    assert event["hotel_id"] == str(hotel_id) and event["booking_ref"] == "RL-1001"
    assert event["category"] == "room" and event["severity"] == "minor"
    [routed] = await outbox(sessionmaker, "members.complaint_routed")
    assert routed["hotel_name"] == "和平饭店"


async def test_in8_major_complaint_flags_the_member_and_owes_an_apology_visit(
    login_as, sessionmaker
) -> None:
    """IN-8 / CS-3: a major complaint sets the member's compensation flag (announced in
    members.member_updated for intake's caller panel) and an apology visit is due."""
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    member = await new_member(desk)

    filed = await file(desk, member_id=member["member_id"], severity="major")

    assert filed["apology_visit_due"] is True
    fetched = (await desk.get(f"/members/api/members/{member['member_id']}")).json()
    assert fetched["complaint_open"] is True
    assert fetched["complaint_note"].startswith(f"Major complaint No. {filed['complaint_no']}:")
    updates = await outbox(sessionmaker, "members.member_updated")
    assert updates[-1]["complaint_open"] is True
    [routed] = await outbox(sessionmaker, "members.complaint_routed")
    assert routed["member_card"] == member["card_no"]


async def test_in8_minor_complaint_leaves_the_member_unflagged(login_as, sessionmaker) -> None:
    """IN-8: only a major complaint earns compensation at the next booking."""
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    member = await new_member(desk)

    filed = await file(desk, member_id=member["member_id"])

    assert filed["apology_visit_due"] is False
    fetched = (await desk.get(f"/members/api/members/{member['member_id']}")).json()
    assert fetched["complaint_open"] is False


async def test_cs3_bad_complaint_is_422_naming_the_field_and_writes_nothing(
    login_as, sessionmaker
) -> None:
    """CS-3: bad input is refused field by field; nothing is written or published."""
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    bad = [
        ({"complainant_name": ""}, "complainant_name"),
        ({"category": "noise"}, "category"),
        ({"severity": "huge"}, "severity"),
        ({"department": "kitchen"}, "department"),
        ({"summary": "x" * 2001}, "summary"),
        ({"hotel_id": "00000000-0000-0000-0000-000000000001"}, "hotel_id"),  # not published
        ({"member_id": "00000000-0000-0000-0000-000000000002"}, "member_id"),
    ]
    for override, field in bad:
        response = await desk.post_json(API, complaint_body(**override))
        assert response.status_code == 422, (override, response.text)
        assert response.json()["fields"][0]["field"] == field, response.json()
    assert await count(sessionmaker, "SELECT count(*) FROM members.complaint") == 0
    assert await count(sessionmaker, "SELECT count(*) FROM members.outbox") == 0


async def test_cs3_form_refused_shows_the_error_beside_the_field(login_as, sessionmaker) -> None:
    """CS-3: the page form comes back with the error beside the summary field; nothing kept."""
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    fields = {k: v for k, v in complaint_body().items() if k != "summary"}

    page = await desk.post_form(PAGES, fields)

    assert page.status_code == 422
    assert 'name="summary"' in page.text and 'aria-invalid="true"' in page.text
    assert await count(sessionmaker, "SELECT count(*) FROM members.complaint") == 0


async def test_cs3_form_files_and_the_list_shows_it_with_its_clocks(login_as, sessionmaker) -> None:
    """CS-3 / SL-5: the page form records the complaint; the list shows it open with its due
    times, and an overdue clock once the time has passed."""
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    member = await new_member(desk)
    clock.set_now(beijing(2026, 12, 7, 16, 30))
    form = await desk.get(f"{PAGES}/new?member_id={member['member_id']}")
    assert form.status_code == 200 and member["card_no"] in form.text

    response = await desk.post_form(PAGES, complaint_body(member_id=member["member_id"]))

    assert response.status_code == 303, response.text
    listed = await desk.get(PAGES)
    assert "王芳" in listed.text and "2026-12-07 17:00" in listed.text
    assert 'class="overdue"' not in listed.text
    clock.set_now(beijing(2026, 12, 7, 17, 1))
    assert 'class="overdue"' in (await desk.get(PAGES)).text


async def test_cs3_only_customer_service_files_complaints(login_as) -> None:
    """CS-3: an agent cannot file or read complaints here."""
    agent = await login_as("li", Role.AGENT)
    assert (await agent.post_json(API, complaint_body())).status_code == 403
    assert (await agent.get(PAGES)).status_code == 403


async def test_hr12_booking_reference_names_the_booked_hotel(login_as, sessionmaker) -> None:
    """HR-12: a complaint giving a member's booking reference names that booking's hotel
    (from the member bookings projected from intake), so contracts hears of it."""
    hotel_id = uuid.uuid4()
    async with sessionmaker() as session, session.begin():
        await session.execute(
            text(
                "INSERT INTO members.member_booking (booking_id, member_card, booking_ref,"
                " hotel_id, hotel_name, check_in, check_out, rooms, currency, total_sell_minor,"
                " status, booking_version, updated_at) VALUES (:b, 'M200001', 'RL-77', :h,"
                " '锦江饭店', '2026-12-01', '2026-12-02', 1, 'CNY', 50000, 'placed', 1, now())"
            ),
            {"b": uuid.uuid4(), "h": hotel_id},
        )
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)

    filed = await file(desk, booking_ref="rl-77")

    assert filed["hotel_id"] == str(hotel_id) and filed["hotel_name"] == "锦江饭店"
    [event] = await outbox(sessionmaker, "members.complaint_filed")
    assert event["hotel_id"] == str(hotel_id)
