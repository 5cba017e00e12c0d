"""HR-12 (with CS-3): complaints about a hotel, announced by customer service, kept on the
hotel's file: open ones first, the last 12 months counted, each complaint counted once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from services.contracts.app import app as contracts_app
from services.contracts.handlers import HANDLERS
from services.contracts.hotels.complaints import HotelComplaints, hotel_complaints
from shared.auth import Role
from shared.clock import clock
from shared.db import unit_of_work
from shared.events import EVENT_TYPES, Envelope, Payload, envelope_for
from shared.events.consumer import apply_once
from shared.events.members import ComplaintClosedV1, ComplaintFiledV1
from shared.events.outbox import publish
from shared.events.subscriptions import subscribers
from tests.services.contracts.helpers import API, hotel_body
from tests.support.pipeline import eventually, running_pipeline

# 10:00 in Beijing on 10 November 2026: complaints filed today are due by midnight (HR-12).
NOW = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)


def _filed(hotel_id: uuid.UUID, **overrides: object) -> ComplaintFiledV1:
    fields: dict[str, object] = {
        "complaint_id": uuid.uuid4(),
        "hotel_id": hotel_id,
        "complainant_name": "王芳",
        "member_card": "M00012345",
        "booking_ref": "RL7K2Q9X",
        "category": "room",
        "severity": "minor",
        "summary": "空调坏了 (air conditioning broken), no other room offered",
        "filed_at": NOW - timedelta(hours=1),
    }
    return ComplaintFiledV1.model_validate(fields | overrides)


def _closed(complaint_id: uuid.UUID, outcome: str, closed_at: datetime) -> ComplaintClosedV1:
    return ComplaintClosedV1(complaint_id=complaint_id, outcome=outcome, closed_at=closed_at)


def _envelope(payload: Payload) -> Envelope:
    return envelope_for(payload, source="members", occurred_at=clock.now())


async def _deliver(sessionmaker, event: Payload | Envelope) -> str:
    """Hand one members event to contracts as its worker would: inbox + handler, one commit."""
    envelope = event if isinstance(event, Envelope) else _envelope(event)
    return await apply_once(
        sessionmaker, service="contracts", schema="contracts", handlers=HANDLERS, envelope=envelope
    )


async def _hotel(login_as) -> tuple[object, uuid.UUID]:
    clock.set_now(NOW)
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    response = await desk.post_json(f"{API}/hotels", hotel_body())
    assert response.status_code == 201, response.text
    return desk, uuid.UUID(response.json()["hotel_id"])


async def _on_file(sessionmaker, hotel_id: uuid.UUID) -> HotelComplaints:
    async with unit_of_work(sessionmaker) as session:
        return await hotel_complaints(session, hotel_id=hotel_id)


def _section(complaints: HotelComplaints) -> str:
    """The hotel page's complaints section, rendered by the contracts app's own templates."""
    template = contracts_app.state.templates.get_template("_hotel_complaints.html")
    return template.render(complaints=complaints)


async def _rows(sessionmaker) -> int:
    async with unit_of_work(sessionmaker) as session:
        query = text("SELECT count(*) FROM contracts.hotel_complaint")
        return int((await session.execute(query)).scalar_one())


def test_hr12_complaint_events_are_versioned_contracts_routed_to_contracts() -> None:
    assert EVENT_TYPES[("members.complaint_filed", 1)] is ComplaintFiledV1
    assert EVENT_TYPES[("members.complaint_closed", 1)] is ComplaintClosedV1
    assert subscribers("members.complaint_filed") == ("contracts",)
    assert subscribers("members.complaint_closed") == ("contracts",)
    with pytest.raises(ValidationError, match="severity"):
        _filed(uuid.uuid4(), severity="medium")
    with pytest.raises(ValidationError, match="filed_at"):
        _filed(uuid.uuid4(), filed_at=datetime(2026, 11, 10, 9, 0))  # no time zone
    assert _filed(uuid.uuid4(), booking_ref=None, member_card="").booking_ref is None


async def test_hr12_open_complaints_come_first_and_a_closed_one_shows_its_outcome(
    login_as, sessionmaker
) -> None:
    _, hotel_id = await _hotel(login_as)
    older = _filed(hotel_id, severity="major", category="overbooking", summary="无房, walked")
    newer = _filed(hotel_id, summary="Noisy room", filed_at=NOW - timedelta(minutes=20))
    closing = _closed(older.complaint_id, "Hotel apologised; 200 CNY voucher", NOW)
    for event in (older, newer, closing):
        assert await _deliver(sessionmaker, event) == "handled"

    complaints = await _on_file(sessionmaker, hotel_id)

    assert [c.summary for c in complaints.listed] == ["Noisy room", "无房, walked"]
    counts = complaints.counts
    assert (counts.filed, counts.major, counts.still_open, counts.resolved_within_day) == (
        2,
        1,
        1,
        1,
    )
    assert counts.by_category == [("overbooking", 1), ("room", 1)]
    section = _section(complaints)
    assert section.index("Noisy room") < section.index("无房, walked")
    assert "Hotel apologised; 200 CNY voucher" in section and "No complaints" not in section


async def test_hr12_a_redelivered_or_reannounced_complaint_counts_once(
    login_as, sessionmaker
) -> None:
    _, hotel_id = await _hotel(login_as)
    filed = _filed(hotel_id)
    envelope = _envelope(filed)
    assert await _deliver(sessionmaker, envelope) == "handled"
    assert await _deliver(sessionmaker, envelope) == "duplicate"  # the same event again
    assert await _deliver(sessionmaker, filed) == "handled"  # announced again, new event id
    closing = _closed(filed.complaint_id, "Room changed", NOW)
    assert await _deliver(sessionmaker, closing) == "handled"
    assert await _deliver(sessionmaker, closing) == "handled"

    complaints = await _on_file(sessionmaker, hotel_id)

    assert await _rows(sessionmaker) == 1
    assert (complaints.counts.filed, complaints.counts.still_open) == (1, 0)
    assert [c.outcome for c in complaints.listed] == ["Room changed"]


async def test_hr12_a_closing_delivered_before_its_filing_is_kept(login_as, sessionmaker) -> None:
    _, hotel_id = await _hotel(login_as)
    filed = _filed(hotel_id)
    await _deliver(sessionmaker, _closed(filed.complaint_id, "Refunded one night", NOW))
    assert (await _on_file(sessionmaker, hotel_id)).listed == []  # no hotel known yet

    await _deliver(sessionmaker, filed)

    (complaint,) = (await _on_file(sessionmaker, hotel_id)).listed
    assert not complaint.is_open and complaint.outcome == "Refunded one night"
    assert complaint.summary == filed.summary


async def test_hr12_open_complaint_is_overdue_after_its_day_and_counts_cover_12_months(
    login_as, sessionmaker
) -> None:
    _, hotel_id = await _hotel(login_as)
    today = _filed(hotel_id, summary="Rude front desk")
    stale = _filed(hotel_id, summary="Still open from last year", filed_at=NOW - timedelta(400))
    old_closed = _filed(hotel_id, summary="Closed long ago", filed_at=NOW - timedelta(400))
    late = _filed(hotel_id, summary="Dirty towels", filed_at=NOW - timedelta(days=3))
    for event in (today, stale, old_closed, late):
        await _deliver(sessionmaker, event)
    await _deliver(sessionmaker, _closed(old_closed.complaint_id, "Settled", NOW - timedelta(399)))
    await _deliver(sessionmaker, _closed(late.complaint_id, "Towels replaced", NOW))

    complaints = await _on_file(sessionmaker, hotel_id)

    # Every open complaint is listed, however old; closed ones from the last 12 months only.
    summaries = [c.summary for c in complaints.listed]
    assert summaries == ["Still open from last year", "Rude front desk", "Dirty towels"]
    assert (complaints.counts.filed, complaints.counts.resolved_within_day) == (2, 0)
    assert [c.overdue for c in complaints.open] == [True, False]
    assert complaints.closed[0].closed_late
    clock.set_now(datetime(2026, 11, 10, 16, 0, tzinfo=UTC))  # midnight in Beijing
    assert (await _on_file(sessionmaker, hotel_id)).open[1].overdue
    assert "overdue" in _section(await _on_file(sessionmaker, hotel_id))


async def test_hr12_a_hotel_without_complaints_shows_the_empty_state(
    login_as, sessionmaker
) -> None:
    _, hotel_id = await _hotel(login_as)
    other_hotel = uuid.uuid4()
    await _deliver(sessionmaker, _filed(other_hotel))

    section = _section(await _on_file(sessionmaker, hotel_id))

    assert "No complaints about this hotel." in section
    assert "No complaints" not in _section(await _on_file(sessionmaker, other_hotel))


async def test_hr12_the_hotel_file_page_shows_its_complaints(login_as, sessionmaker) -> None:
    desk, hotel_id = await _hotel(login_as)
    empty = await desk.page(f"/contracts/hotels/{hotel_id}")
    assert "No complaints about this hotel." in empty.text
    filed = _filed(hotel_id, severity="major", summary="Walked to another hotel")
    await _deliver(sessionmaker, filed)
    await _deliver(sessionmaker, _closed(filed.complaint_id, "Apology visit made", NOW))

    page = await desk.page(f"/contracts/hotels/{hotel_id}")

    assert page.status_code == 200
    assert "Walked to another hotel" in page.text and "Apology visit made" in page.text


async def test_hr12_complaint_events_reach_contracts_through_the_real_pipeline(
    login_as, sessionmaker
) -> None:
    _, hotel_id = await _hotel(login_as)
    filed = _filed(hotel_id, summary="Through the relay")
    async with unit_of_work(sessionmaker) as session:
        # What the members service will do: the event commits with its own state change.
        await publish(session, schema="members", payload=filed, occurred_at=clock.now())

    async with running_pipeline(("contracts",)):
        await eventually(lambda: _open_summaries(sessionmaker, hotel_id))
        async with unit_of_work(sessionmaker) as session:
            closing = _closed(filed.complaint_id, "Explained to the guest", NOW)
            await publish(session, schema="members", payload=closing, occurred_at=clock.now())
        await eventually(lambda: _closed_outcomes(sessionmaker, hotel_id))

    assert await _rows(sessionmaker) == 1


async def _open_summaries(sessionmaker, hotel_id: uuid.UUID) -> list[str]:
    return [c.summary for c in (await _on_file(sessionmaker, hotel_id)).open]


async def _closed_outcomes(sessionmaker, hotel_id: uuid.UUID) -> list[str | None]:
    return [c.outcome for c in (await _on_file(sessionmaker, hotel_id)).closed]
