"""The hotels pages (PAY-3, PAY-4, PAY-6): finance records deposits, chases and refunds paid;
the desk and team leads read; anyone else is refused. Drill-down: hotel ledger → booking."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import func, select

from services.payments.hotels.outcomes import refunds_payable
from services.payments.ledger import chart
from services.payments.ledger.balances import balance_of
from services.payments.ledger.models import LedgerTransaction
from shared.auth import Role
from shared.db import unit_of_work
from tests.services.payments.hotels_support import cancel, hotel, outcome, pay, place, placed
from tests.services.payments.hotels_support import stayed as stayed_event

ROOT = "/payments"


async def _world(sessionmaker: Any) -> tuple[uuid.UUID, Any, Any]:
    """A hotel with a stay posted and a cancelled booking whose guest had paid 300.00."""
    hotel_id = await hotel(sessionmaker, name="和平饭店")
    stayed = await place(sessionmaker, placed(hotel_id))
    await outcome(sessionmaker, stayed_event(stayed, 1))
    gone = await place(sessionmaker, placed(hotel_id))
    async with unit_of_work(sessionmaker) as session:
        await pay(session, gone.booking_id, 30_000)
    await cancel(sessionmaker, gone)
    return hotel_id, stayed, gone


def _request_id(html: str) -> str:
    found = re.search(r'name="request_id" value="([^"]+)"', html)
    assert found, "the form carries no request id"
    return found.group(1)


async def _count(sessionmaker: Any, kind: str) -> int:
    async with sessionmaker() as session:
        return int(
            await session.scalar(select(func.count()).where(LedgerTransaction.kind == kind)) or 0
        )


async def test_readers_see_hotels_ledger_and_booking_drill_down(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    hotel_id, stayed, _gone = await _world(sessionmaker)
    for name, role in (("qian", Role.COLLECT_DESK), ("tina", Role.TEAM_LEAD)):
        client = await login_as(name, role)
        listing = await client.page(f"{ROOT}/hotels")
        assert listing.status_code == 200 and "和平饭店" in listing.text
        assert f"/hotels/{hotel_id}" in listing.text
        ledger = await client.page(f"{ROOT}/hotels/{hotel_id}")
        assert ledger.status_code == 200
        assert f"{ROOT}/bookings/{stayed.booking_ref}" in ledger.text  # PAY-6 drill-down
        assert 'id="deposit-form"' not in ledger.text  # finance acts, the desk reads
        booking = await client.page(f"{ROOT}/bookings/{stayed.booking_ref}")
        assert booking.status_code == 200 and 'data-kind="stay_prepaid"' in booking.text
        # Refused to post as a reader, whatever the page shows.
        refused = await client.post_form(
            f"{ROOT}/hotels/{hotel_id}/chases", {"chased_on": "2026-12-06", "channel": "fax"}
        )
        assert refused.status_code == 403


async def test_other_roles_are_refused(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    hotel_id, stayed, _gone = await _world(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    for path in ("/hotels", f"/hotels/{hotel_id}", f"/bookings/{stayed.booking_ref}"):
        assert (await agent.page(f"{ROOT}{path}")).status_code == 403


async def test_finance_records_a_deposit_once_per_form(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    hotel_id, _stayed, _gone = await _world(sessionmaker)
    fay = await login_as("fay", Role.FINANCE)
    page = await fay.page(f"{ROOT}/hotels/{hotel_id}")
    form = {"amount": "5000.00", "paid_on": "2026-12-01", "request_id": _request_id(page.text)}
    for _ in range(2):  # a double click
        sent = await fay.post_form(f"{ROOT}/hotels/{hotel_id}/deposits", form)
        assert sent.status_code == 303, sent.text[:500]
    assert await _count(sessionmaker, "deposit_paid") == 1
    async with sessionmaker() as session:
        assert await balance_of(session, chart.deposit_held(hotel_id), "CNY") == 500_000
    shown = await fay.page(f"{ROOT}/hotels/{hotel_id}?saved=deposit")
    assert "5,000.00" in shown.text


async def test_a_refused_deposit_says_why_beside_the_field(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    hotel_id, _stayed, _gone = await _world(sessionmaker)
    fay = await login_as("fay", Role.FINANCE)
    page = await fay.page(f"{ROOT}/hotels/{hotel_id}")
    form = {"amount": "12.345", "paid_on": "2026-12-01", "request_id": _request_id(page.text)}
    refused = await fay.post_form(f"{ROOT}/hotels/{hotel_id}/deposits", form)
    assert refused.status_code == 422
    assert 'id="deposit_amount-error"' in refused.text
    assert await _count(sessionmaker, "deposit_paid") == 0


async def test_finance_chases_a_hotel_and_the_list_shows_it(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    from decimal import Decimal

    hotel_id = await hotel(sessionmaker, name="Jade Hotel", commission_percent=Decimal(10))
    stay = await place(sessionmaker, placed(hotel_id, payment_mode="pay_at_hotel"))
    await outcome(sessionmaker, stayed_event(stay, 1))
    fay = await login_as("fay", Role.FINANCE)
    sent = await fay.post_form(
        f"{ROOT}/hotels/{hotel_id}/chases",
        {"chased_on": "2026-12-05", "channel": "phone", "note": "AR clerk: pays Friday",
         "promised_on": "2026-12-11"},
    )  # fmt: skip
    assert sent.status_code == 303
    listing = await fay.page(f"{ROOT}/hotels")
    row = re.search(rf'<tr data-hotel="{hotel_id}">.*?</tr>', listing.text, re.S)
    assert row and "68.80" in row.group(0) and "fay" in row.group(0)


async def test_finance_pays_a_refund_never_more_than_owed(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    _hotel_id, _stayed, gone = await _world(sessionmaker)
    fay = await login_as("fay", Role.FINANCE)
    path = f"{ROOT}/bookings/{gone.booking_ref}"
    page = await fay.page(path)
    assert 'id="refund-form"' in page.text
    too_much = {"amount": "300.01", "method": "bank", "request_id": _request_id(page.text)}
    refused = await fay.post_form(f"{path}/refunds", too_much)
    assert refused.status_code == 409 and 'id="refund_amount-error"' in refused.text
    exact = {**too_much, "amount": "300.00"}
    assert (await fay.post_form(f"{path}/refunds", exact)).status_code == 303
    assert (await fay.post_form(f"{path}/refunds", exact)).status_code == 303  # a replay
    assert await _count(sessionmaker, "refund_paid") == 1
    async with sessionmaker() as session:
        owed = await balance_of(session, refunds_payable(gone.booking_id), "CNY")
        assert owed == 0
        assert await balance_of(session, chart.guest_receivable(gone.booking_id), "CNY") == 0
    assert 'id="refund-form"' not in (await fay.page(path)).text
