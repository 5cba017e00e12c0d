"""IN-5 on the booking page: the modify and cancel forms, a refused change shown again with
its reason and nothing written, and the history as a timeline (latest on the booking page,
all of it in pages on the history page)."""

from __future__ import annotations

import re
from datetime import timedelta

from shared.auth import Role
from shared.clock import clock
from tests.services.intake.changes_support import change_counts, days, modify, place, sold
from tests.services.intake.factories import seed_hotel

PAGE = "/intake/bookings/{ref}"


def _timeline_entries(html: str) -> list[str]:
    return re.findall(r'<li data-kind="(\w+)" data-version="(\d+)"', html)


async def test_in5_booking_page_offers_both_forms_and_an_empty_history(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, clock.today() + timedelta(days=3))

    page = await agent.page(PAGE.format(ref=booking["booking_ref"]))

    assert page.status_code == 200
    assert 'id="modify-form"' in page.text and 'id="cancel-form"' in page.text
    assert page.text.count('name="csrf_token"') >= 2
    assert page.text.count('name="version" value="1"') == 2
    assert "No changes since the booking was placed." in page.text
    assert "Guest request" in page.text and "Agent error" in page.text


async def test_in5_modify_form_changes_the_booking_and_shows_it_in_the_timeline(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    stay = days(clock.today() + timedelta(days=3), 3)
    booking = await place(agent, seeded, stay[0], nights=3)
    path = PAGE.format(ref=booking["booking_ref"])
    form = {
        "version": "1", "check_in": str(stay[0]), "check_out": str(stay[2]), "rooms": "1",
        "guest_names": "张伟, Li Lei", "special_requests": "", "arrival_time": "20:00",
        "reason_category": "guest_request", "reason": "Leaves a day early",
    }  # fmt: skip

    response = await agent.post_form(f"{path}/modify", form)

    assert response.status_code == 303 and response.headers["location"].endswith("#history")
    page = await agent.page(path)
    assert _timeline_entries(page.text) == [("modify", "2")]
    assert "Leaves a day early" in page.text
    assert f"Check-out: {stay[2] + timedelta(days=1)} → {stay[2]}" in page.text
    # The agent cleared the special requests: a blank field is a change, not "keep".
    assert "Special requests: High floor, non-smoking → (none)" in page.text
    assert [(await sold(sessionmaker, seeded))[n] for n in stay] == [1, 1, 0]


async def test_in5_refused_form_is_shown_again_with_the_reason_and_writes_nothing(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, clock.today() + timedelta(days=3))
    path = PAGE.format(ref=booking["booking_ref"])
    before = (await change_counts(sessionmaker), await sold(sessionmaker, seeded))

    no_reason = await agent.post_form(
        f"{path}/modify", {"version": "1", "rooms": "3", "reason_category": "other"}
    )
    stale = await agent.post_form(
        f"{path}/cancel", {"version": "7", "reason": "Ill", "reason_category": "guest_request"}
    )

    assert no_reason.status_code == 422
    assert 'role="alert"' in no_reason.text and 'href="#field-reason"' in no_reason.text
    message = '<span class="field-error" id="field-reason-error">Fill this in.</span>'
    assert message in no_reason.text
    assert 'name="rooms" min="1" max="9" value="3"' in no_reason.text  # as the agent typed it
    assert stale.status_code == 409 and "is at version 1, not 7" in stale.text
    assert (await change_counts(sessionmaker), await sold(sessionmaker, seeded)) == before


async def test_in5_cancel_form_cancels_and_the_page_offers_no_more_changes(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, clock.today() + timedelta(days=3), rooms=2)
    path = PAGE.format(ref=booking["booking_ref"])

    response = await agent.post_form(
        f"{path}/cancel",
        {"version": "1", "reason_category": "hotel_request", "reason": "Hotel overbooked"},
    )

    assert response.status_code == 303
    page = await agent.page(path)
    assert 'id="modify-form"' not in page.text and 'id="cancel-form"' not in page.text
    assert "This booking is cancelled; it can no longer change." in page.text
    assert _timeline_entries(page.text) == [("cancel", "2")]
    assert "Status: placed → cancelled" in page.text and "Hotel overbooked" in page.text
    assert set((await sold(sessionmaker, seeded)).values()) == {0}


async def test_in5_history_shows_the_latest_on_the_booking_and_all_in_pages(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, clock.today() + timedelta(days=3))
    for n in range(52):
        response = await modify(agent, booking, special_requests=f"request {n}")
        assert response.status_code == 200, response.text
        booking = response.json()["booking"]
    path = PAGE.format(ref=booking["booking_ref"])

    page = await agent.page(path)
    first = await agent.page(f"{path}/history")
    second = await agent.page(f"{path}/history?page=2")

    assert [v for _, v in _timeline_entries(page.text)] == [str(v) for v in range(53, 43, -1)]
    assert "All 52 changes" in page.text
    assert len(_timeline_entries(first.text)) == 50 and "Page 1 of 2" in first.text
    assert [v for _, v in _timeline_entries(second.text)] == ["3", "2"]
    assert "request 0" in second.text and "Newer" in second.text
