"""The payments desk's home: per role what is waiting (PAY-1 … PAY-5) with links, and the
ledger's check; the collect desk, team leads and finance get it, nobody else."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import pytest

from services.payments.expected import ExpectedPayment
from services.payments.ledger.postings import Posting, post, transfer
from shared.auth import Role
from shared.db import unit_of_work


async def _desk_day(sessionmaker: Any) -> None:
    """Qian holds 300.00 in cash, Li 120.00; a guest is owed 80.00 back; a hotel's 500.00
    settlement is expected at the bank."""
    async with unit_of_work(sessionmaker) as s:
        for key, who, amount in (("q", "qian", 30_000), ("l", "li", 12_000)):
            guest = f"guest_receivable:{uuid.uuid4()}"
            legs = transfer(f"cash_on_hand:{who}", guest, amount, "CNY")
            await post(s, Posting(idempotency_key=key, kind="payment_taken", legs=legs), actor=who)
        due = transfer(f"guest_receivable:{uuid.uuid4()}", "refunds_payable:b1", 8_000, "CNY")
        await post(s, Posting(idempotency_key="r", kind="refund_due", legs=due), actor="qian")
        s.add(
            ExpectedPayment(
                direction="in",
                currency="CNY",
                amount_minor=50_000,
                reference="ST-2026-11-PEACE",
                source="statement",
                source_id=uuid.uuid4(),
                clears_account="commission_receivable:h1",
            )
        )


def _waiting(page: str) -> dict[str, str]:
    """Each row of the waiting table: its English key -> the row's text without tags."""
    rows = re.findall(r'<tr data-waiting="([^"]+)">(.*?)</tr>', page, re.S)
    return {
        html.unescape(key): " ".join(re.sub(r"<[^>]+>", " ", body).split()) for key, body in rows
    }


async def test_the_collect_desk_sees_its_own_cash_and_the_bank(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    await _desk_day(sessionmaker)
    desk = await login_as("qian", Role.COLLECT_DESK)
    page = await desk.page("/payments/")
    assert page.status_code == 200
    waiting = _waiting(page.text)
    assert waiting["Cash not yet handed to finance"].endswith("1 CN¥300.00")  # not Li's drawer
    assert waiting["Refunds due"].endswith("1 CN¥80.00")
    assert waiting["Expected payments not yet seen at the bank"].endswith("1 CN¥500.00")
    assert "Ledger check: every transaction balances" in page.text
    assert 'href="/payments/reports"' in page.text


async def test_finance_sees_every_drawer_and_a_team_lead_no_bank(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    await _desk_day(sessionmaker)
    finance = _waiting((await (await login_as("zhao", Role.FINANCE)).page("/payments/")).text)
    assert finance["Cash not yet handed to finance"].endswith("2 CN¥420.00")
    assert "Expected payments not yet seen at the bank" in finance
    lead_page = await (await login_as("wanglei", Role.TEAM_LEAD)).page("/payments/")
    assert lead_page.status_code == 200
    lead = _waiting(lead_page.text)
    assert lead["Cash not yet handed to finance"].endswith("2 CN¥420.00")
    assert "Expected payments not yet seen at the bank" not in lead


async def test_the_home_page_in_chinese(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    await _desk_day(sessionmaker)
    desk = await login_as("qian", Role.COLLECT_DESK)
    desk.http.cookies.set("roomline_locale", "zh_CN")
    page = await desk.page("/payments/")
    assert page.status_code == 200 and "退款" in page.text


@pytest.mark.parametrize("role", [Role.AGENT, Role.NOSHOW_DESK, Role.GENERAL_MANAGER])
async def test_the_home_page_is_the_desks_alone(login_as, role: Role) -> None:  # type: ignore[no-untyped-def]
    other = await login_as("someone", role)
    assert (await other.page("/payments/")).status_code == 403


async def test_reports_are_closed_to_agents(login_as) -> None:  # type: ignore[no-untyped-def]
    agent = await login_as("ana", Role.AGENT)
    for page in ("reports", "reports/balances", "reports/weekly.xlsx", "api/reports/weekly"):
        path = f"/payments/{page}"
        assert (await agent.get(path)).status_code == 403


async def test_pay1_slips_waiting_per_role(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    from services.payments.slips.models import Slip

    def slip(state: str) -> Slip:
        return Slip(
            slip_id=uuid.uuid4(),
            booking_id=uuid.uuid4(),
            booking_ref=f"RL{uuid.uuid4().hex[:8].upper()}",
            hotel_name="Peace Hotel",
            booker_name="王芳",
            booker_phone="13912345678",
            currency="CNY",
            amount_due_minor=58_000,
            state=state,
        )

    states = ["open", "open", "submitted", "signed", "signed", "signed", "handed_over"]
    async with unit_of_work(sessionmaker) as s:
        s.add_all([slip(state) for state in states])
    lead = _waiting((await (await login_as("wanglei", Role.TEAM_LEAD)).page("/payments/")).text)
    assert lead["Slips open"].endswith(" 2")
    assert lead["Slips awaiting a team lead's signature"].endswith(" 1")
    assert "Signed slips awaiting cash handover" not in lead  # finance's and the desk's
    finance = _waiting((await (await login_as("zhao", Role.FINANCE)).page("/payments/")).text)
    assert finance["Signed slips awaiting cash handover"].endswith(" 3")
    assert finance["Statements in draft, awaiting approval"].endswith(" 0")
    assert finance["Unmatched bank entries"].endswith(" 0")
    assert "Slips open" not in finance
