"""PAY-2 over the API: finance counts a desk person's signed cash in full (a difference is
refused), receipts it and posts it to ``cash_with_finance``; one invoice (发票) per signed
slip, written by the folder gateway; finance never receipts its own cash."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from services.payments.ledger.balances import balance_of, check
from shared.auth import Role
from tests.services.payments.slips_support import open_slip

API = "/payments/api/slips"


async def _signed_cash_slips(sessionmaker, login_as, amounts: list[int]):  # type: ignore[no-untyped-def]
    """Slips the desk (qian) took cash on and a team lead (lily) signed; their ids."""
    desk = await login_as("qian", Role.COLLECT_DESK)
    lead = await login_as("lily", Role.TEAM_LEAD)
    ids = []
    for amount in amounts:
        slip = await open_slip(sessionmaker)
        body = {"method": "cash", "amount_minor": amount, "currency": "CNY", "payer": "Li Lei"}
        taken = await desk.post_json(f"{API}/{slip.slip_id}/payments", body)
        assert taken.status_code == 201, taken.text
        assert (await desk.post_json(f"{API}/{slip.slip_id}/submit", {})).status_code == 200
        signed = await lead.post_json(f"{API}/{slip.slip_id}/sign", {})
        assert signed.status_code == 200, signed.text
        ids.append(str(slip.slip_id))
    return ids


async def test_pay2_a_counted_difference_is_refused_the_full_count_is_receipted(  # type: ignore[no-untyped-def]
    sessionmaker, login_as
) -> None:
    ids = await _signed_cash_slips(sessionmaker, login_as, [50000, 30000])
    finance = await login_as("fay", Role.FINANCE)
    short = {
        "collector": "qian",
        "slip_ids": ids,
        "counted": [{"currency": "CNY", "amount_minor": 79900}],
    }
    refused = await finance.post_json(f"{API}/handovers", short)
    assert refused.status_code == 422, refused.text
    assert refused.json()["fields"][0]["field"] == "counted_CNY"
    assert "count again" in refused.json()["detail"]
    async with sessionmaker() as session:
        assert await balance_of(session, "cash_with_finance", "CNY") == 0
    full = {**short, "counted": [{"currency": "CNY", "amount_minor": 80000}]}
    done = await finance.post_json(f"{API}/handovers", full)
    assert done.status_code == 201, done.text
    receipt = done.json()
    assert receipt["counted"] == {"CNY": 80000} and receipt["receipt_no"].startswith("RC")
    async with sessionmaker() as session:
        assert await balance_of(session, "cash_with_finance", "CNY") == 80000
        assert await balance_of(session, "cash_on_hand:qian", "CNY") == 0
        assert (await check(session)).healthy
    again = await finance.post_json(f"{API}/handovers", full)
    assert again.status_code == 409  # those slips were handed over already
    page = await finance.page(f"/payments/handovers/{receipt['handover_no']}")
    assert page.status_code == 200 and receipt["receipt_no"] in page.text
    listed = await finance.get(f"{API}?state=handed_over")
    assert listed.json()["total"] == 2


async def test_pay1_only_signed_slips_reach_finance(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    desk = await login_as("qian", Role.COLLECT_DESK)
    finance = await login_as("fay", Role.FINANCE)
    slip = await open_slip(sessionmaker)
    body = {"method": "cash", "amount_minor": 1000, "currency": "CNY", "payer": "Li Lei"}
    assert (await desk.post_json(f"{API}/{slip.slip_id}/payments", body)).status_code == 201
    handover = {"collector": "qian", "slip_ids": [str(slip.slip_id)], "counted": []}
    assert (await finance.post_json(f"{API}/handovers", handover)).status_code == 409
    invoice = {"title": "Acme Ltd", "amount_minor": 1000}
    assert (await finance.post_json(f"{API}/{slip.slip_id}/invoice", invoice)).status_code == 409


async def test_finance_never_receipts_its_own_cash(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    ids = await _signed_cash_slips(sessionmaker, login_as, [1000])
    qian_in_finance = await login_as("fin2", Role.FINANCE)
    body = {
        "collector": "fin2",
        "slip_ids": ids,
        "counted": [{"currency": "CNY", "amount_minor": 1000}],
    }
    assert (await qian_in_finance.post_json(f"{API}/handovers", body)).status_code == 403


async def test_pay2_one_invoice_per_slip_written_by_the_folder_gateway(  # type: ignore[no-untyped-def]
    sessionmaker, login_as, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROOMLINE_INVOICE_DIR", str(tmp_path))
    (slip_id,) = await _signed_cash_slips(sessionmaker, login_as, [137600])
    finance = await login_as("fay", Role.FINANCE)
    too_much = {"title": "上海某某有限公司", "amount_minor": 137601}
    refused = await finance.post_json(f"{API}/{slip_id}/invoice", too_much)
    assert refused.status_code == 422 and refused.json()["fields"][0]["field"] == "amount"
    bad_tax = {"title": "Acme", "tax_number": "12-34", "amount_minor": 100}
    refused = await finance.post_json(f"{API}/{slip_id}/invoice", bad_tax)
    assert refused.status_code == 422 and refused.json()["fields"][0]["field"] == "tax_number"
    body = {"title": "上海某某有限公司", "tax_number": "91310000MA1FL0XX1X", "amount_minor": 137600}
    issued = await finance.post_json(f"{API}/{slip_id}/invoice", body)
    assert issued.status_code == 201, issued.text
    number = issued.json()["number"]
    written = json.loads((tmp_path / f"{number}.json").read_text(encoding="utf-8"))
    assert written["title"] == "上海某某有限公司" and written["amount_minor"] == 137600
    assert (await finance.post_json(f"{API}/{slip_id}/invoice", body)).status_code == 409
    assert sorted(os.listdir(tmp_path)) == [f"{number}.json"]  # no second file, no .part
    detail = (await finance.get(f"{API}/{slip_id}")).json()
    assert detail["invoice_number"] == number


async def test_pay2_a_transfer_still_awaited_at_the_bank_is_not_invoiced(
    sessionmaker, login_as
) -> None:  # type: ignore[no-untyped-def]
    desk = await login_as("qian", Role.COLLECT_DESK)
    lead = await login_as("lily", Role.TEAM_LEAD)
    finance = await login_as("fay", Role.FINANCE)
    slip = await open_slip(sessionmaker)
    body = {"method": "bank_transfer", "amount_minor": 137600, "currency": "CNY", "payer": "Acme"}
    assert (await desk.post_json(f"{API}/{slip.slip_id}/payments", body)).status_code == 201
    assert (await desk.post_json(f"{API}/{slip.slip_id}/submit", {})).status_code == 200
    assert (await lead.post_json(f"{API}/{slip.slip_id}/sign", {})).status_code == 200
    invoice = {"title": "Acme Ltd", "amount_minor": 100}
    refused = await finance.post_json(f"{API}/{slip.slip_id}/invoice", invoice)
    assert refused.status_code == 422 and refused.json()["fields"][0]["field"] == "amount"
