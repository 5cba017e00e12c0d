"""Collect-on-behalf slips (PAY-1): opened, changed and cancelled by intake's booking events;
money taken posts the right legs once (cash, card, another currency with its rate, HR-14);
a bank transfer waits for the bank; the maker never signs."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from services.payments.expected import ExpectedPayment
from services.payments.ledger.balances import balance_of, check
from services.payments.ledger.models import LedgerEntry, LedgerTransaction
from services.payments.slips import service
from services.payments.slips.gateways import FakeCardGateway
from services.payments.slips.models import Slip, SlipPayment
from services.payments.slips.service import PaymentIn
from shared.db import unit_of_work
from shared.errors import Conflict, Forbidden, InvalidInput
from tests.services.payments.slips_support import (
    DESK,
    DESK_TOO,
    LEAD,
    LEAD_AT_DESK,
    cancelled,
    deliver,
    modified,
    open_slip,
    placed,
    slip_of,
)

CARD = FakeCardGateway()


def cash(amount_minor: int, **extra: object) -> PaymentIn:
    values: dict[str, object] = {
        "method": "cash", "amount_minor": amount_minor, "currency": "CNY", "payer": "Li Lei",
    }  # fmt: skip
    return PaymentIn.model_validate({**values, **extra})


async def record(sessionmaker, slip_id: uuid.UUID, payment: PaymentIn, staff=DESK) -> SlipPayment:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessionmaker) as session:
        return await service.record_payment(session, slip_id, payment, staff, gateway=CARD)


async def legs(sessionmaker, transaction_id: uuid.UUID) -> list[tuple[str, str, int]]:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        rows = await session.execute(
            select(LedgerEntry.account, LedgerEntry.currency, LedgerEntry.amount_minor)
            .where(LedgerEntry.transaction_id == transaction_id)
            .order_by(LedgerEntry.entry_id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_pay1_a_prepaid_booking_opens_one_slip_and_pay_at_hotel_none(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    booking = placed()
    assert await deliver(sessionmaker, booking, version=1) == "handled"
    assert await deliver(sessionmaker, booking, version=1) == "handled"  # a new event id
    slip = await slip_of(sessionmaker, booking.booking_id)
    assert slip is not None
    assert (slip.state, slip.amount_due_minor, slip.currency) == ("open", 137600, "CNY")
    assert (slip.booking_ref, slip.booker_name) == (booking.booking_ref, "Li Lei")
    at_hotel = placed(payment_mode="pay_at_hotel")
    assert await deliver(sessionmaker, at_hotel, version=1) == "handled"
    assert await slip_of(sessionmaker, at_hotel.booking_id) is None
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Slip)) == 1


async def test_a_modified_booking_changes_the_amount_due_and_is_audited(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    booking = placed()
    await deliver(sessionmaker, booking, version=1)
    await deliver(sessionmaker, modified(booking, version=2, sell_minor=70000), version=2)
    slip = await slip_of(sessionmaker, booking.booking_id)
    assert slip is not None and slip.amount_due_minor == 140000
    async with sessionmaker() as session:
        audited = await session.execute(
            text(
                "SELECT before, after FROM payments.audit_log WHERE entity = 'slip'"
                " AND action = 'slip_amount_changed' AND entity_id = :id"
            ),
            {"id": str(slip.slip_id)},
        )
        ((before, after),) = audited.all()
    assert (before["amount_due_minor"], after["amount_due_minor"]) == (137600, 140000)


async def test_a_cancelled_booking_cancels_its_open_slip_with_a_refund_due(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    booking = placed()
    await deliver(sessionmaker, booking, version=1)
    slip = await slip_of(sessionmaker, booking.booking_id)
    assert slip is not None
    await record(sessionmaker, slip.slip_id, cash(50000))
    await deliver(sessionmaker, cancelled(booking, version=2), version=2)
    after = await slip_of(sessionmaker, booking.booking_id)
    assert after is not None
    assert (after.state, after.booking_cancelled, after.collected_minor) == (
        "cancelled",
        True,
        50000,
    )
    with pytest.raises(Conflict):
        await record(sessionmaker, slip.slip_id, cash(100))


async def test_cash_posts_cash_on_hand_against_the_guest_receivable(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    slip = await open_slip(sessionmaker)
    payment = await record(sessionmaker, slip.slip_id, cash(100000, note="deposit"))
    assert payment.transaction_id is not None
    receivable = f"guest_receivable:{slip.booking_id}"
    assert await legs(sessionmaker, payment.transaction_id) == [
        ("cash_on_hand:qian", "CNY", 100000),
        (receivable, "CNY", -100000),
    ]
    async with sessionmaker() as session:
        posted = await session.get(LedgerTransaction, payment.transaction_id)
        assert posted is not None
        assert posted.idempotency_key == f"slip:{slip.slip_id}:payment:1"
        assert (posted.kind, posted.booking_ref) == ("payment_taken", slip.booking_ref)
        assert await balance_of(session, "cash_on_hand:qian", "CNY") == 100000
        assert (await session.get(Slip, slip.slip_id)).collected_minor == 100000  # type: ignore[union-attr]


async def test_a_card_goes_through_the_gateway_and_a_0000_card_is_declined(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    slip = await open_slip(sessionmaker)
    card = {"method": "card", "card_number": "4111111111111111"}
    payment = await record(sessionmaker, slip.slip_id, cash(37600, **card))
    assert payment.card_last4 == "1111" and (payment.gateway_reference or "").startswith("FAKE-")
    assert payment.transaction_id is not None
    assert (await legs(sessionmaker, payment.transaction_id))[0] == ("card_clearing", "CNY", 37600)
    with pytest.raises(InvalidInput) as declined:
        await record(
            sessionmaker, slip.slip_id, cash(100, method="card", card_number="4000000000000000")
        )
    assert declined.value.field == "card_number" and "declined" in declined.value.detail
    with pytest.raises(InvalidInput) as missing:
        await record(sessionmaker, slip.slip_id, cash(100, method="card"))
    assert missing.value.field == "card_number"
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(LedgerTransaction)) == 1


async def test_hr14_another_currency_posts_through_fx_conversion_with_its_rate(
    sessionmaker,
) -> None:  # type: ignore[no-untyped-def]
    slip = await open_slip(sessionmaker, currency="THB", sell_minor=500000)
    with pytest.raises(InvalidInput) as no_rate:
        await record(sessionmaker, slip.slip_id, cash(10000))
    assert no_rate.value.field == "fx_rate"
    # 100.00 CNY at 1 CNY = 4.95 THB pays off 495.00 THB.
    payment = await record(sessionmaker, slip.slip_id, cash(10000, fx_rate="4.95"))
    assert payment.credited_minor == 49500 and payment.transaction_id is not None
    assert await legs(sessionmaker, payment.transaction_id) == [
        ("cash_on_hand:qian", "CNY", 10000),
        ("fx_conversion", "CNY", -10000),
        ("fx_conversion", "THB", 49500),
        (f"guest_receivable:{slip.booking_id}", "THB", -49500),
    ]
    async with sessionmaker() as session:
        posted = await session.get(LedgerTransaction, payment.transaction_id)
        assert posted is not None
        assert (posted.fx_base, posted.fx_quote, posted.fx_rate) == ("CNY", "THB", Decimal("4.95"))
        assert (await check(session)).healthy


async def test_a_bank_transfer_posts_nothing_and_is_expected_at_the_bank(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    slip = await open_slip(sessionmaker)
    payment = await record(sessionmaker, slip.slip_id, cash(137600, method="bank_transfer"))
    assert payment.transaction_id is None
    async with sessionmaker() as session:
        expected = await session.get(ExpectedPayment, payment.expected_payment_id)
        assert expected is not None
        assert (expected.direction, expected.reference, expected.source) == (
            "in",
            slip.booking_ref,
            "slip",
        )
        assert expected.clears_account == f"guest_receivable:{slip.booking_id}"
        assert (expected.amount_minor, expected.status) == (137600, "open")
        assert await session.scalar(select(func.count()).select_from(LedgerTransaction)) == 0
    with pytest.raises(InvalidInput) as elsewhere:
        await record(sessionmaker, slip.slip_id, cash(1, method="bank_transfer", currency="USD"))
    assert elsewhere.value.field == "currency"


async def test_a_form_submitted_twice_at_once_records_and_posts_once(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    slip = await open_slip(sessionmaker)
    payment = cash(20000, token="form-token-1")
    rows = await asyncio.gather(*(record(sessionmaker, slip.slip_id, payment) for _ in range(5)))
    assert len({row.payment_id for row in rows}) == 1
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(SlipPayment)) == 1
        assert await session.scalar(select(func.count()).select_from(LedgerTransaction)) == 1
        assert await balance_of(session, "cash_on_hand:qian", "CNY") == 20000


async def test_more_than_the_slip_owes_is_refused_on_the_amount(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    slip = await open_slip(sessionmaker)
    await record(sessionmaker, slip.slip_id, cash(137000))
    with pytest.raises(InvalidInput) as refused:
        await record(sessionmaker, slip.slip_id, cash(601))
    assert refused.value.field == "amount"


async def test_pay1_the_maker_cannot_sign_another_team_lead_does(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    slip = await open_slip(sessionmaker)
    async with unit_of_work(sessionmaker) as session:
        with pytest.raises(Conflict):  # nothing taken yet
            await service.submit(session, slip.slip_id, LEAD_AT_DESK)
    await record(sessionmaker, slip.slip_id, cash(137600), staff=LEAD_AT_DESK)
    async with unit_of_work(sessionmaker) as session:
        await service.submit(session, slip.slip_id, LEAD_AT_DESK)
    with pytest.raises(Forbidden):
        async with unit_of_work(sessionmaker) as session:
            await service.sign(session, slip.slip_id, LEAD_AT_DESK)
    with pytest.raises(Forbidden):  # the desk holds no team lead role
        async with unit_of_work(sessionmaker) as session:
            await service.sign(session, slip.slip_id, DESK_TOO)
    async with unit_of_work(sessionmaker) as session:
        signed = await service.sign(session, slip.slip_id, LEAD)
        assert (signed.state, signed.maker, signed.signer) == ("signed", "tina", "lily")


async def test_pay1_a_taker_who_did_not_submit_still_cannot_sign(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    slip = await open_slip(sessionmaker)
    await record(sessionmaker, slip.slip_id, cash(1000), staff=LEAD_AT_DESK)
    async with unit_of_work(sessionmaker) as session:
        await service.submit(session, slip.slip_id, DESK)
    with pytest.raises(Forbidden):
        async with unit_of_work(sessionmaker) as session:
            await service.send_back(session, slip.slip_id, LEAD_AT_DESK, "count again")
    async with unit_of_work(sessionmaker) as session:
        back = await service.send_back(session, slip.slip_id, LEAD, "Receipt missing")
        assert (back.state, back.sent_back_reason) == ("open", "Receipt missing")
