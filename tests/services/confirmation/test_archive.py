"""The archive of everything sent and received, searched by date, hotel, booking and the
hotel's confirmation number (CF-4)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from services.confirmation.models import ConfirmationTask, HotelReply, OrderDispatch
from shared.auth import Role
from shared.clock import clock
from shared.db import unit_of_work
from tests.services.confirmation.factories import beijing, place_booking
from tests.services.confirmation.helpers import DESK
from tests.services.confirmation.inbound_support import pdf_saying

PEACE, HYATT = "RLHZQ3MPTA", "RLWX7KPB2C"


@dataclass
class Archive:
    peace_order: uuid.UUID  # fax to the Peace Hotel, yesterday
    peace_reply: uuid.UUID  # the Peace Hotel's reply, today 09:00
    hyatt_order: uuid.UUID  # email to the Hyatt, today 08:00
    hyatt_early: uuid.UUID  # email to the Hyatt, today 00:30 (yesterday in UTC)
    hyatt_customer: uuid.UUID  # the customer's confirmation, two days ago
    unmatched: uuid.UUID  # a reply no booking matched, today 11:00
    document: bytes


async def _task(sessionmaker: Any, ref: str, hotel_name: str) -> ConfirmationTask:
    await place_booking(
        sessionmaker, booking_ref=ref, hotel_name=hotel_name, check_in=clock.today() + timedelta(5)
    )
    async with sessionmaker() as session:
        task: ConfirmationTask = await session.scalar(
            select(ConfirmationTask).where(ConfirmationTask.booking_ref == ref)
        )
        return task


def _dispatch(
    task: ConfirmationTask, sent_at: datetime, document: bytes, **values: Any
) -> OrderDispatch:
    """A dispatch as the sending code leaves it (written directly: sending is not ours)."""
    defaults: dict[str, Any] = {
        "audience": "hotel",
        "channel": "fax",
        "transport": "folder",
        "address": "+86 10 6512 0000",
        "state": "sent",
    }
    return OrderDispatch(
        dispatch_id=uuid.uuid4(),
        task_id=task.task_id,
        booking_ref=task.booking_ref,
        hotel_id=task.hotel_id,
        subject=f"Order {task.booking_ref}",
        body="Please confirm.",
        document=document,
        document_name=f"order-{task.booking_ref}.pdf",
        attempts=1,
        queued_by="cora",
        queued_at=sent_at - timedelta(minutes=1),
        sent_at=sent_at,
        finished_at=sent_at,
        **{**defaults, **values},
    )


def _reply(task: ConfirmationTask | None, received_at: datetime, subject: str) -> HotelReply:
    return HotelReply(
        reply_id=uuid.uuid4(),
        received_at=received_at,
        mail_from="reservations@hotel.example",
        rcpt_to="replies@roomline.example",
        subject=subject,
        body_text="",
        raw=f"Subject: {subject}\r\n\r\n".encode(),
        task_id=task.task_id if task else None,
        booking_ref=task.booking_ref if task else None,
        matched_by="subject" if task else None,
        matched_at=received_at if task else None,
    )


async def _archive(sessionmaker: Any) -> Archive:
    """Mail around the business day 2026-03-10 (Beijing); "now" is its noon."""
    clock.set_now(beijing(2026, 3, 10, 12, 0))
    peace = await _task(sessionmaker, PEACE, "和平饭店 · Peace Hotel")
    hyatt = await _task(sessionmaker, HYATT, "Grand Hyatt Shanghai")
    document = pdf_saying(f"Order sheet {PEACE}")
    rows: list[Any] = [
        _dispatch(peace, beijing(2026, 3, 9, 10, 0), document),
        _reply(peace, beijing(2026, 3, 10, 9, 0), f"Re: {PEACE}"),
        _dispatch(
            hyatt,
            beijing(2026, 3, 10, 8, 0),
            b"%PDF hyatt",
            channel="email",
            address="rsvn@hyatt.example",
        ),
        _dispatch(
            hyatt,
            beijing(2026, 3, 10, 0, 30),
            b"%PDF early",
            channel="email",
            address="rsvn@hyatt.example",
        ),
        _dispatch(
            hyatt,
            beijing(2026, 3, 8, 15, 0),
            b"%PDF customer",
            channel="email",
            audience="customer",
            address="li.lei@example.com",
        ),
        _reply(None, beijing(2026, 3, 10, 11, 0), "Your request"),
    ]
    async with unit_of_work(sessionmaker) as session:
        session.add_all(rows)
    ids = [getattr(row, "dispatch_id", None) or row.reply_id for row in rows]
    return Archive(*ids, document=document)


async def _search(client: Any, **params: str) -> list[uuid.UUID]:
    response = await client.get("/confirmation/api/archive", params=params)
    assert response.status_code == 200, response.text
    return [uuid.UUID(item["item_id"]) for item in response.json()["items"]]


async def test_cf4_the_archive_opens_on_todays_business_date_newest_first(
    sessionmaker, login_as
) -> None:
    kept = await _archive(sessionmaker)
    desk = await login_as("cora", DESK)
    # 00:30 in Beijing is the day before in UTC: the business date decides (CF-4 "by date").
    assert await _search(desk) == [
        kept.unmatched,
        kept.peace_reply,
        kept.hyatt_order,
        kept.hyatt_early,
    ]
    body = (await desk.get("/confirmation/api/archive")).json()
    assert (body["date_from"], body["date_to"], body["total"]) == ("2026-03-10", "2026-03-10", 4)
    first, second, third = body["items"][:3]
    assert (first["direction"], first["state"], first["booking_ref"]) == (
        "received",
        "unmatched",
        None,
    )
    assert (second["direction"], second["hotel_name"], second["state"]) == (
        "received",
        "和平饭店 · Peace Hotel",
        "matched",
    )
    assert (third["direction"], third["channel"], third["address"], third["state"]) == (
        "sent",
        "email",
        "rsvn@hyatt.example",
        "sent",
    )


async def test_cf4_search_by_booking_ref_covers_all_dates(sessionmaker, login_as) -> None:
    kept = await _archive(sessionmaker)
    desk = await login_as("cora", DESK)
    assert await _search(desk, booking_ref=PEACE.lower()) == [kept.peace_reply, kept.peace_order]
    # Dates given explicitly still apply.
    found = await _search(desk, booking_ref=PEACE, date_from="2026-03-09", date_to="2026-03-09")
    assert found == [kept.peace_order]


async def test_cf4_search_by_the_hotels_confirmation_number(sessionmaker, login_as) -> None:
    kept = await _archive(sessionmaker)
    async with unit_of_work(sessionmaker) as session:
        await session.execute(
            update(ConfirmationTask)
            .where(ConfirmationTask.booking_ref == PEACE)
            .values(hotel_confirmation_no="HX-88812")
        )
    desk = await login_as("cora", DESK)
    assert await _search(desk, confirmation_no="hx-88812") == [kept.peace_reply, kept.peace_order]
    assert await _search(desk, confirmation_no="HX-99999") == []
    page = (await desk.page("/confirmation/archive", params={"confirmation_no": "HX-88812"})).text
    assert page.count("<td>HX-88812</td>") == 2


async def test_cf4_search_by_hotel_and_date_range(sessionmaker, login_as) -> None:
    kept = await _archive(sessionmaker)
    desk = await login_as("cora", DESK)
    three_days = {"date_from": "2026-03-08", "date_to": "2026-03-10"}
    assert await _search(desk, hotel="hyatt", **three_days) == [
        kept.hyatt_order,
        kept.hyatt_early,
        kept.hyatt_customer,
    ]
    assert await _search(desk, hotel="hyatt", date_from="2026-03-08", date_to="2026-03-08") == [
        kept.hyatt_customer
    ]
    assert await _search(desk, hotel="和平", **three_days) == [kept.peace_reply, kept.peace_order]
    assert await _search(desk, hotel="100%", **three_days) == []  # % is a character, not a wildcard

    page = (await desk.page("/confirmation/archive", params={"hotel": "hyatt", **three_days})).text
    assert "3 items, 2026-03-08 to 2026-03-10" in page
    assert "sent to customer" in page and "li.lei@example.com" in page
    assert f'href="/confirmation/dispatches/{kept.hyatt_customer}/document"' in page
    assert "Peace Hotel" not in page


async def test_cf4_a_sent_document_downloads_as_the_stored_pdf(sessionmaker, login_as) -> None:
    kept = await _archive(sessionmaker)
    desk = await login_as("cora", DESK)
    response = await desk.get(f"/confirmation/dispatches/{kept.peace_order}/document")
    assert response.status_code == 200
    assert response.content == kept.document
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith(
        f'attachment; filename="order-{PEACE}.pdf"'
    )
    assert (await desk.get(f"/confirmation/dispatches/{uuid.uuid4()}/document")).status_code == 404


async def test_cf4_bad_dates_are_refused_naming_the_field(sessionmaker, login_as) -> None:
    desk = await login_as("cora", DESK)
    bad = await desk.get("/confirmation/api/archive", params={"date_from": "10/03/2026"})
    assert bad.status_code == 422
    assert bad.json()["fields"][0]["field"] == "date_from"
    reversed_range = {"date_from": "2026-03-10", "date_to": "2026-03-01"}
    backwards = await desk.get("/confirmation/api/archive", params=reversed_range)
    assert backwards.status_code == 422
    assert backwards.json()["fields"][0]["field"] == "date_to"
    page = await desk.page("/confirmation/archive", params={"date_to": "2026-02-30"})
    assert page.status_code == 422
    assert "date to: &#39;2026-02-30&#39; is not a date (YYYY-MM-DD)." in page.text
    assert 'id="archive-search"' in page.text  # the form is still there to correct


async def test_cf4_the_archive_and_documents_refuse_an_agent(sessionmaker, login_as) -> None:
    kept = await _archive(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    for path in (
        "/confirmation/archive",
        "/confirmation/api/archive",
        f"/confirmation/dispatches/{kept.peace_order}/document",
    ):
        refused = await agent.get(path)
        assert refused.status_code == 403, path
        assert refused.json()["error"] == "forbidden"
    assert (await agent.page("/confirmation/archive")).status_code == 403
