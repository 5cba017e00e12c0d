"""Issue 19: a booking in two PostgreSQL round trips (one read, one write: ``read.py``,
``write.py``, migration 0012), and a write that refuses naming the night and writes nothing
when any one night of the stay is short (IN-4), closed (IN-2), unpriced (IN-2) or outside the
signed contract (HR-3)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from shared.auth import Role
from shared.clock import clock
from shared.events.contracts import ContractEffectiveV1, NightRestriction, RestrictionsSetV1
from tests.services.intake.factories import allotment_event, apply, envelope, seed_hotel
from tests.services.intake.helpers import booking_body, call_form, counts, inventory

API = "/intake/api/bookings"


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every statement any engine sends while the block runs (BEGIN/COMMIT aside)."""
    engine = Engine  # every service's engine: each schema has its own
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_issue19_a_booking_is_one_read_and_one_write(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=5)
    form_id = await call_form(agent, "Q1-19", (clock.now() - timedelta(minutes=2)).isoformat())
    body = booking_body(seeded, check_in, nights=3, rooms=2, form_id=form_id)

    with statements() as sent:  # the session lookup is in Redis, not counted
        response = await agent.post_json(API, body)

    assert response.status_code == 201, response.text
    assert len(sent) == 2, sent
    assert "intake.place_booking" in sent[1]
    assert await counts(sessionmaker) == {
        "bookings": 1, "booking_nights": 3, "placed_events": 1, "outbox": 1, "audit": 1,
    }  # fmt: skip
    stock = await inventory(sessionmaker, seeded.room_type_id)
    assert [stock[check_in + timedelta(days=n)]["sold"] for n in range(4)] == [2, 2, 2, 0]
    async with sessionmaker() as session:
        used = await session.scalar(
            text("SELECT used_at IS NOT NULL FROM intake.booking_form WHERE form_id = :f"),
            {"f": uuid.UUID(form_id)},
        )
        version = await session.scalar(text("SELECT aggregate_version FROM intake.outbox"))
    assert used is True  # IN-1: the form is used by the same write
    assert version == 1  # the booking's own version (issue 12)
    again = await agent.post_json(API, body)  # a replay is the read alone
    assert again.status_code == 201 and again.json() == response.json()


async def _short(sessionmaker: Any, seeded: Any, night: date) -> None:
    await apply(sessionmaker, envelope(allotment_event(seeded, {night: 0})))


async def _closed(sessionmaker: Any, seeded: Any, night: date) -> None:
    closed = RestrictionsSetV1(
        hotel_id=seeded.hotel_id,
        room_type_id=seeded.room_type_id,
        nights=[NightRestriction(night=night, stop_sell=True)],
    )
    await apply(sessionmaker, envelope(closed))


async def _unpriced(sessionmaker: Any, seeded: Any, night: date) -> None:
    async with sessionmaker() as session:  # a night the rates never published
        await session.execute(
            text("DELETE FROM intake.rate_night WHERE rate_plan_id = :p AND night = :n"),
            {"p": seeded.rate_plan_id, "n": night},
        )
        await session.commit()


async def _uncontracted(sessionmaker: Any, seeded: Any, night: date) -> None:
    async with sessionmaker() as session:
        await session.execute(text("DELETE FROM intake.hotel_contract"))
        await session.commit()
    first, last = min(seeded.nights), max(seeded.nights)
    for n, (valid_from, valid_to) in enumerate(
        [(first, night - timedelta(days=1)), (night + timedelta(days=1), last)]
    ):
        signed = ContractEffectiveV1(
            hotel_id=seeded.hotel_id,
            contract_id=uuid.uuid5(uuid.NAMESPACE_OID, f"{seeded.hotel_id}-{n}"),
            version_id=uuid.uuid4(),
            version_no=1,
            valid_from=valid_from,
            valid_to=valid_to,
            payment_arrangement="net_prepaid",
        )
        await apply(sessionmaker, envelope(signed))


CAUSES = {"short": _short, "closed": _closed, "unpriced": _unpriced, "uncontracted": _uncontracted}


@pytest.mark.parametrize("position", [0, 1, 2], ids=["first", "middle", "last"])
@pytest.mark.parametrize("cause", list(CAUSES))
async def test_issue19_one_bad_night_refuses_naming_it_and_writes_nothing(
    login_as, sessionmaker, cause: str, position: int
) -> None:
    """IN-4, IN-2, HR-3: whichever night of a three-night stay is bad, nothing is written."""
    seeded = await seed_hotel(sessionmaker, rooms=3)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=10)
    bad = check_in + timedelta(days=position)
    await CAUSES[cause](sessionmaker, seeded, bad)
    form_id = await call_form(agent, "Q1-20", (clock.now() - timedelta(minutes=1)).isoformat())
    stock = await inventory(sessionmaker, seeded.room_type_id)

    response = await agent.post_json(
        API, booking_body(seeded, check_in, nights=3, rooms=1, form_id=form_id)
    )

    assert response.status_code == 409, response.text
    detail = response.json()["detail"]
    assert str(bad) in detail, detail
    others = [check_in + timedelta(days=n) for n in range(3) if n != position]
    assert not any(str(n) in detail for n in others), detail  # only the bad night is named
    assert await counts(sessionmaker) == {
        "bookings": 0, "booking_nights": 0, "placed_events": 0, "outbox": 0, "audit": 0,
    }  # fmt: skip
    assert await inventory(sessionmaker, seeded.room_type_id) == stock
    async with sessionmaker() as session:
        used = await session.scalar(
            text("SELECT count(*) FROM intake.booking_form WHERE used_at IS NOT NULL")
        )
    assert used == 0  # IN-1: a refused booking leaves its form usable
