"""A bank entry matched to an expected payment (PAY-5): the money posted once
(``expected.settle``), then whatever the payment was for learns it arrived — a month's
statement becomes settled. The bank screens call this; the expected payment itself knows
nothing of statements."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.expected import ExpectedPayment, settle
from services.payments.settlement.service import on_payment_matched


async def match(
    session: AsyncSession,
    expected_payment_id: uuid.UUID,
    *,
    bank_entry_id: int,
    booked_on: date,
    actor: str,
) -> ExpectedPayment:
    expected = await settle(
        session, expected_payment_id, bank_entry_id=bank_entry_id, booked_on=booked_on, actor=actor
    )
    await on_payment_matched(session, expected)
    return expected
