"""CS-1: a member's bookings on the inquiry screen come from a projection of intake's booking
events (``members.member_booking``), kept right whatever order the events arrive in, kept once
when delivered twice, and only for bookings that name a member card. A cancellation also
takes back the stay's points (CS-5, ``points.stays.on_refund``)."""

from __future__ import annotations

from datetime import timedelta

from services.members.profile import bookings
from shared.clock import clock
from shared.db import unit_of_work
from tests.services.members.profile_support import (
    booking_rows,
    cancelled,
    deliver,
    modified,
    placed,
)


async def test_cs1_placed_modified_cancelled_in_order(sessionmaker) -> None:
    booking = placed(member_card="m123456")
    new_in = booking.check_in + timedelta(days=1)

    assert await deliver(sessionmaker, booking, version=1) == "handled"
    row = (await booking_rows(sessionmaker))[booking.booking_id]
    assert (row.member_card, row.status, row.booking_version) == ("M123456", "placed", 1)

    await deliver(sessionmaker, modified(booking, version=2, check_in=new_in, rooms=2), version=2)
    row = (await booking_rows(sessionmaker))[booking.booking_id]
    assert (row.status, row.check_in, row.rooms, row.booking_version) == ("modified", new_in, 2, 2)
    assert row.member_card == "M123456"  # the change carries no card: the placement's is kept

    await deliver(sessionmaker, cancelled(booking, version=3, check_in=new_in), version=3)
    row = (await booking_rows(sessionmaker))[booking.booking_id]
    assert (row.status, row.booking_version, row.member_card) == ("cancelled", 3, "M123456")


async def test_cs1_out_of_order_events_keep_the_newest_and_the_card(sessionmaker) -> None:
    """Issue 12 ordering: the cancellation (v3) arrives first, then the change (v2), then the
    placement (v1); the row ends cancelled, at v3, with the placement's card."""
    booking = placed(member_card="vip-77")
    await deliver(sessionmaker, cancelled(booking, version=3), version=3)
    early = (await booking_rows(sessionmaker))[booking.booking_id]
    assert early.member_card is None and early.status == "cancelled"  # kept, not yet shown
    async with sessionmaker() as session:
        assert (await bookings.member_bookings(session, cards=["VIP-77"])).total == 0

    await deliver(sessionmaker, modified(booking, version=2, rooms=3), version=2)
    await deliver(sessionmaker, booking, version=1)

    row = (await booking_rows(sessionmaker))[booking.booking_id]
    assert (row.status, row.booking_version, row.rooms) == ("cancelled", 3, 1)
    assert row.member_card == "VIP-77"
    async with sessionmaker() as session:
        shown = await bookings.member_bookings(session, cards=["vip-77"])
    assert [b.booking_ref for b in shown.bookings] == [booking.booking_ref]


async def test_cs1_an_event_delivered_twice_is_applied_once(sessionmaker) -> None:
    booking = placed()
    change = modified(booking, version=2, rooms=2)
    assert await deliver(sessionmaker, booking, version=1) == "handled"
    assert await deliver(sessionmaker, change, version=2) == "handled"

    # The same events again (new envelopes, so past the inbox): an equal version changes nothing.
    await deliver(sessionmaker, booking, version=1)
    await deliver(sessionmaker, change, version=2)

    rows = await booking_rows(sessionmaker)
    assert len(rows) == 1
    row = rows[booking.booking_id]
    assert (row.status, row.rooms, row.booking_version) == ("modified", 2, 2)


async def test_cs1_bookings_without_a_member_card_are_not_kept(sessionmaker) -> None:
    walk_in = placed(member_card="")
    await deliver(sessionmaker, walk_in, version=1)
    assert await booking_rows(sessionmaker) == {}

    # A change handled before its card-less placement: the placement removes the row.
    late = placed(member_card="  ")
    await deliver(sessionmaker, modified(late, version=2, rooms=2), version=2)
    assert late.booking_id in await booking_rows(sessionmaker)
    await deliver(sessionmaker, late, version=1)
    assert await booking_rows(sessionmaker) == {}


async def test_cs1_rows_whose_card_never_came_are_purged_after_a_week(sessionmaker) -> None:
    walk_in = placed(member_card="")
    await deliver(sessionmaker, walk_in, version=1)
    await deliver(sessionmaker, modified(walk_in, version=2, rooms=2), version=2)  # after it
    assert walk_in.booking_id in await booking_rows(sessionmaker)
    member = placed()
    await deliver(sessionmaker, member, version=1)

    async with unit_of_work(sessionmaker) as session:
        assert await bookings.purge_unknown_cards(session) == 0  # too early
        later = clock.now() + bookings.UNKNOWN_CARD_KEPT + timedelta(minutes=1)
        assert await bookings.purge_unknown_cards(session, now=later) == 1

    assert list(await booking_rows(sessionmaker)) == [member.booking_id]


async def test_ns7_set_stay_outcome_marks_the_members_booking(sessionmaker) -> None:
    """The points package calls this on the no-show desk's outcomes; a correction (NS-3)
    overwrites; an unknown outcome is refused; a non-member's booking is left alone."""
    booking = placed()
    await deliver(sessionmaker, booking, version=1)

    async with unit_of_work(sessionmaker) as session:
        await bookings.set_stay_outcome(session, booking.booking_id, "no_show")
    assert (await booking_rows(sessionmaker))[booking.booking_id].stay_outcome == "no_show"
    async with unit_of_work(sessionmaker) as session:
        await bookings.set_stay_outcome(session, booking.booking_id, "stayed")
        await bookings.set_stay_outcome(session, placed().booking_id, "stayed")  # not kept
    rows = await booking_rows(sessionmaker)
    assert len(rows) == 1 and rows[booking.booking_id].stay_outcome == "stayed"
    async with unit_of_work(sessionmaker) as session:
        try:
            await bookings.set_stay_outcome(session, booking.booking_id, "maybe")
        except ValueError:
            pass
        else:
            raise AssertionError("an unknown outcome was accepted")


async def test_cs1_bookings_newest_first_twenty_a_page(sessionmaker) -> None:
    start = clock.today() + timedelta(days=5)
    for n in range(21):
        await deliver(sessionmaker, placed(check_in=start + timedelta(days=n)), version=1)
    async with sessionmaker() as session:
        first = await bookings.member_bookings(session, cards=["M123456"])
        second = await bookings.member_bookings(session, cards=["M123456"], page=2)
    assert (first.total, first.pages, len(first.bookings), len(second.bookings)) == (21, 2, 20, 1)
    assert first.bookings[0].check_in == start + timedelta(days=20)
    assert second.bookings[0].check_in == start
