"""Finding bookings around the booking page (issue 15): the box on every intake page, the
agent's own lists, cancel asking first, the read-only booking page of the confirmation desk
and customer service (whose posts are still refused), and the indexes the search uses."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from services.intake.lookup import repository
from services.intake.lookup.service import terms_of
from shared.auth import Role
from shared.clock import clock
from tests.services.intake.changes_support import cancel, change_counts, place
from tests.services.intake.factories import apply, seed_hotel
from tests.services.intake.outcomes_support import confirmed, fetched

PAGE = "/intake/bookings/{ref}"
BOX = 'id="find-booking-q"'


def _listed(html: str) -> list[str]:
    return re.findall(r'href="/intake/bookings/(RL\w+)"', html)


async def test_every_intake_page_has_the_search_box_and_no_other_desk_has(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, clock.today() + timedelta(days=3))
    desk = await login_as("cora", Role.CONFIRMATION_DESK)

    for path in ("/intake/", "/intake/handover", "/intake/memos", "/intake/groups",
                 PAGE.format(ref=booking["booking_ref"]), "/intake/my/today"):  # fmt: skip
        page = await agent.page(path)
        assert page.status_code == 200 and page.text.count(BOX) == 1, path
        assert 'aria-keyshortcuts="Alt+F"' in page.text and "find-booking.js" in page.text
    assert 'href="/intake/my/pending"' in (await agent.page("/intake/")).text
    queue = await desk.page("/confirmation/")
    assert queue.status_code == 200 and BOX not in queue.text
    # The confirmation desk gets the box on intake's pages, without the agent's own lists.
    read = await desk.page(PAGE.format(ref=booking["booking_ref"]))
    assert BOX in read.text and "/intake/my/today" not in read.text


async def test_my_bookings_today_lists_only_mine_placed_today(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=9)
    ana = await login_as("ana", Role.AGENT)
    bob = await login_as("bob", Role.AGENT)
    now = clock.now()
    clock.set_now(now - timedelta(days=1))
    yesterday = await place(ana, seeded, clock.today() + timedelta(days=4))
    clock.set_now(now)
    first = await place(ana, seeded, clock.today() + timedelta(days=3))
    clock.set_now(now + timedelta(minutes=5))
    second = await place(ana, seeded, clock.today() + timedelta(days=5))
    others = await place(bob, seeded, clock.today() + timedelta(days=3))

    page = await ana.page("/intake/my/today")

    assert page.status_code == 200 and "My bookings today" in page.text
    assert _listed(page.text) == [second["booking_ref"], first["booking_ref"]]
    assert yesterday["booking_ref"] not in page.text and others["booking_ref"] not in page.text
    empty = await (await login_as("cai", Role.TEAM_LEAD)).page("/intake/my/today")
    assert "You have placed no booking today." in empty.text


async def test_my_pending_lists_mine_the_hotel_has_not_confirmed(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=9)
    ana = await login_as("ana", Role.AGENT)
    bob = await login_as("bob", Role.AGENT)
    later = await place(ana, seeded, clock.today() + timedelta(days=6))
    sooner = await place(ana, seeded, clock.today() + timedelta(days=2))
    done = await place(ana, seeded, clock.today() + timedelta(days=3))
    gone = await place(ana, seeded, clock.today() + timedelta(days=3))
    others = await place(bob, seeded, clock.today() + timedelta(days=3))
    assert await apply(sessionmaker, confirmed(done)) == "handled"
    assert (await cancel(ana, gone)).status_code == 200

    page = await ana.page("/intake/my/pending")

    assert page.status_code == 200 and "My pending bookings" in page.text
    assert _listed(page.text) == [sooner["booking_ref"], later["booking_ref"]]  # soonest first
    assert others["booking_ref"] not in page.text


async def test_cancel_asks_first_and_cancels_only_when_confirmed(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, clock.today() + timedelta(days=3))
    path = PAGE.format(ref=booking["booking_ref"])
    form = {"version": "1", "reason_category": "guest_request", "reason": "Trip called off"}
    before = await change_counts(sessionmaker)
    assert f'action="{path}/cancel/confirm"' in (await agent.page(path)).text

    asked = await agent.post_form(f"{path}/cancel/confirm", form)

    assert asked.status_code == 200
    assert f"Cancel booking {booking['booking_ref']}?" in asked.text
    assert "Guest request: Trip called off" in asked.text
    assert f'action="{path}/cancel"' in asked.text and "autofocus" in asked.text
    for name, value in form.items():
        assert f'name="{name}" value="{value}"' in asked.text
    assert f'href="{path}">No, keep it' in asked.text
    assert await change_counts(sessionmaker) == before
    assert (await fetched(agent, booking["booking_ref"]))["status"] == "placed"

    done = await agent.post_form(f"{path}/cancel", form)

    assert done.status_code == 303
    assert (await fetched(agent, booking["booking_ref"]))["status"] == "cancelled"


async def test_cancel_without_a_reason_is_refused_before_asking(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, clock.today() + timedelta(days=3))
    path = PAGE.format(ref=booking["booking_ref"])

    refused = await agent.post_form(f"{path}/cancel/confirm", {"version": "1"})

    assert refused.status_code == 422 and 'id="cancel-form"' in refused.text
    assert "Cancel booking " + booking["booking_ref"] + "?" not in refused.text


async def _read_only_page(reader: Any, ref: str) -> str:
    page = await reader.page(PAGE.format(ref=ref))
    assert page.status_code == 200
    return page.text


async def test_confirmation_desk_and_customer_service_read_the_booking_and_change_nothing(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, clock.today() + timedelta(days=3))
    ref, path = booking["booking_ref"], PAGE.format(ref=booking["booking_ref"])
    form = {"version": "1", "reason_category": "other", "reason": "Not mine to do", "rooms": "2"}
    before = await change_counts(sessionmaker)

    for username, role in (("cora", Role.CONFIRMATION_DESK), ("cs", Role.CUSTOMER_SERVICE)):
        reader = await login_as(username, role)
        html = await _read_only_page(reader, ref)
        assert f"Booking {ref}" in html and "data-read-only" in html
        assert 'id="modify-form"' not in html and 'id="cancel-form"' not in html
        assert (await reader.page(f"{path}/history")).status_code == 200
        found = await reader.page("/intake/find", params={"q": ref})
        assert _listed(found.text) == [ref]
        for action in ("modify", "cancel", "cancel/confirm"):
            refused = await reader.post_form(f"{path}/{action}", form)
            assert refused.status_code == 403, (username, action)
        assert (await reader.page("/intake/my/today")).status_code == 403
        assert (await reader.page("/intake/my/pending")).status_code == 403

    assert await change_counts(sessionmaker) == before
    assert (await fetched(agent, ref))["status"] == "placed"
    finance = await login_as("fay", Role.FINANCE)
    assert (await finance.page(path)).status_code == 403
    assert (await finance.page("/intake/find", params={"q": ref})).status_code == 403


def _sql(query: Any) -> str:
    compiled = query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    return str(compiled).replace("%%", "%")  # the pyformat escape, not part of the pattern


async def test_each_arm_of_the_search_can_use_its_index(sessionmaker) -> None:
    """Every arm of a search is indexable: with the table scan and the plain index scan priced
    out, the plan is bitmap scans of the names' trigram index, the phone's expression index,
    the reference's and the member card's. One arm without an index would bring back the table
    scan, whatever the others. The agent's pending list reads its partial index."""
    queries = {
        "wang fang": {"booking_search_names"},
        "王芳": {"booking_search_names"},
        "139 1234 5678": {"booking_booker_phone_key", "booking_member_card"},
        "RLABCDEFGH": {"booking_booking_ref_key", "booking_member_card", "booking_search_names"},
    }
    async with sessionmaker() as session:
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        await session.execute(text("SET LOCAL enable_indexscan = off"))
        for query, indexes in queries.items():
            plan = await _plan(session, _sql(repository.search(terms_of(query))))
            assert "Seq Scan" not in plan, (query, plan)
            assert all(index in plan for index in indexes), (query, plan)
        plan = await _plan(session, _sql(repository.open_of("ana", clock.today())))
        assert "booking_agent_open" in plan and "Seq Scan" not in plan, plan


async def _plan(session: Any, sql: str) -> str:
    return "\n".join(str(r[0]) for r in await session.execute(text(f"EXPLAIN {sql}")))
