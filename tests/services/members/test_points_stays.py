"""Points from stays (CS-5, NS-3, NS-5, NS-7): the no-show desk's outcomes and intake's
cancellations, delivered through the members service's real inbox, earn, correct and take back
a member's points; the ledger adds up after every step."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from services.members.points.jobs import activate_due_job
from services.members.points.stays import add_months
from shared.clock import clock
from tests.services.members import points_support as ps

# Gold in CNY: 0.15 a yuan, 20 a night. Two nights at ¥688.50: 1,377 whole yuan → 206.55 →
# 206, plus 40 for the nights.
GOLD_STAY = 246


def _beijing(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=clock.business_tz)


async def _gold_member(sessionmaker) -> object:  # type: ignore[no-untyped-def]
    await ps.rule(sessionmaker, "gold", "CNY", "0.15", 20)
    await ps.rule(sessionmaker, "standard", "CNY", "0.10", 10)
    return await ps.member(sessionmaker, level="gold")


async def test_cs5_a_stay_earns_the_configured_points_once_when_delivered_twice(
    sessionmaker,
) -> None:  # type: ignore[no-untyped-def]
    """CS-5: the configured points, pending until check-out + 7 days, expiring 24 months
    later; the same event twice (the inbox) or the same outcome again (its version) earns
    nothing more."""
    member_id = await _gold_member(sessionmaker)
    placed = ps.booking()
    event = ps.envelope(ps.stayed(placed, 1), source="noshow", version=1)

    assert await ps.deliver_envelope(sessionmaker, event) == "handled"
    assert await ps.deliver_envelope(sessionmaker, event) == "duplicate"
    assert await ps.outcome(sessionmaker, ps.stayed(placed, 1)) == "handled"  # a new event id

    points = await ps.balance(sessionmaker, member_id)
    assert (points.earned, points.pending, points.active) == (GOLD_STAY, GOLD_STAY, 0)
    [lot] = await ps.lots(sessionmaker, member_id)
    final_on = placed.check_out + timedelta(days=7)
    assert (lot.points, lot.status, lot.final_on) == (GOLD_STAY, "pending", final_on)
    assert lot.expires_on == add_months(final_on, 24)
    assert lot.source == f"stay:{placed.booking_id}:v1" and placed.booking_ref in lot.note
    row = await ps.stay_row(sessionmaker, placed.booking_id)
    assert (row.outcome, row.outcome_version, row.points) == ("stayed", 1, GOLD_STAY)


async def test_cs5_the_member_level_and_currency_pick_the_rule(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """CS-5: points per level and currency; a currency with no rule earns the level's CNY
    points per night only, and the lot says so; a booking with no card or an unknown card
    earns nothing."""
    await ps.rule(sessionmaker, "standard", "CNY", "0.10", 10)
    await ps.rule(sessionmaker, "standard", "USD", "0.70", 10)
    member_id = await ps.member(sessionmaker, level="standard")
    usd = ps.booking(currency="USD", nights=1)
    await ps.outcome(sessionmaker, ps.stayed(usd, 1, revenue=12_345))  # $123.45 → 123 × 0.70
    jpy = ps.booking(currency="JPY", nights=3)
    await ps.outcome(sessionmaker, ps.stayed(jpy, 1, revenue=50_000))
    for card in ("", "M999999"):
        await ps.outcome(sessionmaker, ps.stayed(ps.booking(card=card), 1))

    first, second = await ps.lots(sessionmaker, member_id)
    assert first.points == 86 + 10  # 86.1 rounded down, one night
    assert second.points == 30 and "No points rule for JPY" in second.note
    assert (await ps.balance(sessionmaker, member_id)).earned == 126


async def test_cs5_ns7_a_final_no_show_earns_none(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """NS-7, NS-5: a provisional then final no-show earns nothing."""
    member_id = await _gold_member(sessionmaker)
    placed = ps.booking()

    await ps.outcome(sessionmaker, ps.no_show(placed, 1, stage="provisional"))
    await ps.outcome(sessionmaker, ps.no_show(placed, 2, stage="final"))

    assert (await ps.balance(sessionmaker, member_id)).earned == 0
    assert await ps.lots(sessionmaker, member_id) == []
    row = await ps.stay_row(sessionmaker, placed.booking_id)
    assert (row.outcome, row.outcome_version, row.source) == ("no_show", 2, None)


async def test_cs5_ns3_a_correction_to_stayed_earns_and_to_no_show_takes_back(
    sessionmaker,
) -> None:  # type: ignore[no-untyped-def]
    """NS-3: a final no-show corrected to stayed earns; stayed corrected to a no-show takes
    the lot back; a late copy of an older outcome changes nothing."""
    member_id = await _gold_member(sessionmaker)
    placed = ps.booking()

    await ps.outcome(sessionmaker, ps.no_show(placed, 1))
    await ps.outcome(sessionmaker, ps.stayed(placed, 2))
    assert (await ps.balance(sessionmaker, member_id)).pending == GOLD_STAY

    await ps.outcome(sessionmaker, ps.no_show(placed, 3))
    points = await ps.balance(sessionmaker, member_id)
    assert (points.earned, points.pending, points.reversed) == (GOLD_STAY, 0, GOLD_STAY)

    await ps.outcome(sessionmaker, ps.stayed(placed, 2))  # late: older than the no-show
    assert (await ps.balance(sessionmaker, member_id)).earned == GOLD_STAY
    await ps.outcome(sessionmaker, ps.stayed(placed, 4))
    points = await ps.balance(sessionmaker, member_id)
    assert (points.earned, points.pending, points.reversed) == (2 * GOLD_STAY, GOLD_STAY, GOLD_STAY)
    sources = [lot.source.rsplit(":", 1)[1] for lot in await ps.lots(sessionmaker, member_id)]
    assert sorted(sources) == ["v2", "v4"]


async def test_cs5_a_refund_reverses_the_stay_and_nothing_earns_after_it(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """CS-5: a cancelled booking is refunded, so intake's ``booking_cancelled`` (the profile
    package's handler) takes its stay's points back, even once active; a later outcome of it
    earns nothing, a second cancellation takes nothing more."""
    member_id = await _gold_member(sessionmaker)
    placed = ps.booking()
    assert await ps.deliver(sessionmaker, placed, source="intake", version=1) == "handled"
    await ps.outcome(sessionmaker, ps.stayed(placed, 1))
    clock.set_now(clock.now() + timedelta(days=8))
    await activate_due_job({"sessionmaker": sessionmaker})
    assert (await ps.balance(sessionmaker, member_id)).active == GOLD_STAY

    cancel = ps.cancelled(placed, version=2)
    assert await ps.deliver(sessionmaker, cancel, source="intake", version=2) == "handled"

    points = await ps.balance(sessionmaker, member_id)
    assert (points.earned, points.active, points.reversed) == (GOLD_STAY, 0, GOLD_STAY)
    assert (await ps.stay_row(sessionmaker, placed.booking_id)).refunded_at is not None
    await ps.outcome(sessionmaker, ps.stayed(placed, 2))
    await ps.deliver(sessionmaker, ps.cancelled(placed, version=3), source="intake", version=3)
    assert await ps.balance(sessionmaker, member_id) == points


async def test_cs5_a_cancellation_heard_before_the_stay_earns_nothing_after(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """CS-5: events of two services come in any order: a booking cancelled (refunded) before
    its outcome arrives never earns."""
    member_id = await _gold_member(sessionmaker)
    placed = ps.booking()
    await ps.deliver(sessionmaker, ps.cancelled(placed), source="intake", version=2)
    await ps.outcome(sessionmaker, ps.stayed(placed, 1))
    assert (await ps.balance(sessionmaker, member_id)).earned == 0


async def test_cs5_points_are_pending_until_final_on_then_active(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """CS-5, NS-3: pending until check-out + points_final_after_days; the 03:10 job makes
    them active on that day, not the day before, and only once."""
    member_id = await _gold_member(sessionmaker)
    check_out = date(2026, 3, 12)
    clock.set_now(_beijing(check_out, 10))
    placed = ps.booking(check_in=check_out - timedelta(days=2))
    await ps.outcome(sessionmaker, ps.stayed(placed, 1))

    clock.set_now(_beijing(check_out + timedelta(days=6), 3, 10))
    assert await activate_due_job({"sessionmaker": sessionmaker}) == 0
    assert (await ps.balance(sessionmaker, member_id)).pending == GOLD_STAY

    clock.set_now(_beijing(check_out + timedelta(days=7), 3, 10))
    assert await activate_due_job({"sessionmaker": sessionmaker}) == 1
    assert await activate_due_job({"sessionmaker": sessionmaker}) == 0
    points = await ps.balance(sessionmaker, member_id)
    assert (points.pending, points.active) == (0, GOLD_STAY)


async def test_cs5_a_stay_reported_after_its_final_day_is_active_at_once(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """CS-5: a correction weeks after the stay is final already: active at once."""
    member_id = await _gold_member(sessionmaker)
    placed = ps.booking(check_in=clock.today() - timedelta(days=30))
    await ps.outcome(sessionmaker, ps.stayed(placed, 1))
    points = await ps.balance(sessionmaker, member_id)
    assert (points.pending, points.active) == (0, GOLD_STAY)


def test_add_months_keeps_the_day_or_takes_the_month_end() -> None:
    """CS-5: expiry months counted on the calendar."""
    assert add_months(date(2026, 3, 19), 24) == date(2028, 3, 19)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
