"""The statements' pages and JSON API (PAY-4, PAY-5): who may generate, read, approve; the
maker's approve is 403 on the page and in the API; refused input is a 422 naming the field
or a readable message beside it; the PDF and the workbook."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook
from pypdf import PdfReader

from shared.auth import Role
from tests.services.payments.settlement_support import (
    NOVEMBER_TOTALS,
    OCTOBER_TOTALS,
    PEACE,
    PEACE_NAME,
    seed_ledger,
)


async def _clients(login_as: Any) -> tuple[Any, Any, Any, Any]:
    collect = await login_as("collect", Role.COLLECT_DESK)
    fay = await login_as("fay", Role.FINANCE)
    finn = await login_as("finn", Role.FINANCE)
    lee = await login_as("lee", Role.TEAM_LEAD)
    return collect, fay, finn, lee


async def test_pay5_generate_read_and_approve_through_the_api(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    await seed_ledger(sessionmaker)
    collect, fay, finn, lee = await _clients(login_as)
    made = await fay.post_json("/payments/api/statements", {"month": "2026-10"})
    assert made.status_code == 201, made.text
    (october,) = made.json()
    assert {k: october[k] for k in OCTOBER_TOTALS} == OCTOBER_TOTALS
    detail = (await lee.get(f"/payments/api/statements/{october['statement_id']}")).json()
    assert len(detail["lines"]) == 4
    assert sum(line["payable_minor"] for line in detail["lines"]) == 58480 - 30000
    url = f"/payments/api/statements/{october['statement_id']}/approve"
    mine = await fay.post_json(url, {})
    assert mine.status_code == 403, mine.text  # PAY-5: the maker may not approve
    assert (await collect.post_json(url, {})).status_code == 403  # not finance
    assert (await lee.post_json(url, {})).status_code == 403
    approved = await finn.post_json(url, {})
    assert approved.status_code == 200, approved.text
    assert (approved.json()["state"], approved.json()["approved_by"]) == ("approved", "finn")
    assert (await finn.post_json(url, {})).status_code == 409  # approved already
    listed = (await lee.get("/payments/api/statements?month=2026-10&state=approved")).json()
    assert [s["reference"] for s in listed] == ["RLS-202610-1A2B3C4D"]


async def test_api_input_is_bounded(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    await seed_ledger(sessionmaker)
    collect, fay, _finn, lee = await _clients(login_as)
    bad = await collect.post_json("/payments/api/statements", {"month": "2026-13"})
    assert bad.status_code == 422 and "month" in bad.text
    assert (
        await lee.post_json("/payments/api/statements", {"month": "2026-10"})
    ).status_code == 403
    made = (
        await collect.post_json(
            "/payments/api/statements", {"month": "2026-11", "hotel_id": str(PEACE)}
        )
    ).json()
    assert {k: made[0][k] for k in NOVEMBER_TOTALS} == NOVEMBER_TOTALS
    url = f"/payments/api/statements/{made[0]['statement_id']}/reject"
    blank = await fay.post_json(url, {"reason": ""})
    assert blank.status_code == 422 and "reason" in blank.text
    long = await fay.post_json(url, {"reason": "x" * 501})
    assert long.status_code == 422
    rejected = await fay.post_json(url, {"reason": "Fee disputed"})
    assert rejected.json()["rejected_reason"] == "Fee disputed"
    assert (await fay.get("/payments/api/statements/not-a-uuid")).status_code == 422


async def test_pay5_the_pages_generate_and_approve(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    await seed_ledger(sessionmaker)
    collect, fay, finn, lee = await _clients(login_as)
    listed = await collect.page("/payments/statements?month=2026-10")
    assert listed.status_code == 200 and "No statement for this month yet." in listed.text
    made = await collect.post_form(
        "/payments/statements/generate", {"month": "2026-10", "hotel_id": str(PEACE)}
    )
    assert made.status_code == 303, made.text
    page_url = made.headers["location"]
    page = await finn.page(page_url)
    assert PEACE_NAME in page.text and 'id="approve-form"' in page.text
    maker_view = await collect.page(page_url)
    assert 'id="approve-form"' not in maker_view.text and 'id="awaiting"' in maker_view.text
    assert (await lee.page(page_url)).status_code == 200
    assert (await collect.post_form(f"{page_url}/approve", {})).status_code == 403
    approved = await finn.post_form(f"{page_url}/approve", {})
    assert approved.status_code == 303
    page = await lee.page(approved.headers["location"])
    assert "Approved." in page.text and "RLS-202610-1A2B3C4D" in page.text
    everyone = await fay.post_form("/payments/statements/generate", {"month": "2026-11"})
    assert everyone.status_code == 303 and "generated=2" in everyone.headers["location"]
    listed = await lee.page("/payments/statements?month=2026-11&q=hilton")
    assert "Hilton Shanghai" in listed.text and PEACE_NAME not in listed.text


async def test_refused_forms_say_why_beside_the_field(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    await seed_ledger(sessionmaker)
    collect, _fay, finn, _lee = await _clients(login_as)
    bad = await collect.post_form("/payments/statements/generate", {"month": "2026-1x"})
    assert bad.status_code == 422
    assert "Enter a month as YYYY-MM" in bad.text
    quiet = await collect.post_form(
        "/payments/statements/generate",
        {"month": "2026-09", "hotel_id": str(PEACE)},
    )
    assert quiet.status_code == 422 and "Nothing new to state" in quiet.text
    made = await collect.post_form(
        "/payments/statements/generate", {"month": "2026-10", "hotel_id": str(PEACE)}
    )
    url = made.headers["location"]
    blank = await finn.post_form(f"{url}/reject", {"reason": ""})
    assert blank.status_code == 422 and 'id="reject-form"' in blank.text
    assert "Field required" not in blank.text


async def test_pay5_statement_pdf_in_chinese_and_english(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    await seed_ledger(sessionmaker)
    collect, _fay, _finn, lee = await _clients(login_as)
    (made,) = (await collect.post_json("/payments/api/statements", {"month": "2026-10"})).json()
    response = await lee.get(f"/payments/statements/{made['statement_id']}/pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    for expected in (
        "上海和平饭店", "2026-10", "RLS-202610-1A2B3C4D",
        "月度结算单", "Monthly settlement statement",  # both languages side by side
        "我司付给酒店", "We pay the hotel",
        "CNY 584.80", "CNY 34.80", "CNY -300.00", "CNY -50.00", "CNY -200.00",
    ):  # fmt: skip
        assert expected in flat, (expected, flat[:2000])
    for ref in ("RLOCT-A1", "RLOCT-B1", "RLOCT-C1"):  # every line (a narrow column wraps it)
        assert ref in flat.replace(" ", ""), ref


async def test_statement_workbook_cells(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    await seed_ledger(sessionmaker)
    collect, fay, _finn, _lee = await _clients(login_as)
    body = {"month": "2026-11", "hotel_id": str(PEACE)}
    (made,) = (await collect.post_json("/payments/api/statements", body)).json()
    response = await fay.get(f"/payments/statements/{made['statement_id']}/xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    facts = {row[0]: row[1] for row in book["Statement"].iter_rows(values_only=True)}
    assert facts["Reference"] == "RLS-202611-1A2B3C4D"
    assert facts["Hotel"] == PEACE_NAME
    assert facts["Net (positive: we pay the hotel)"] == -70
    assert facts["Receivables"] == 470
    lines = list(book["Lines"].iter_rows(values_only=True))
    assert lines[0][:4] == ("Date", "Item", "Booking ref", "Payable")
    assert [row[1] for row in lines[1:]] == [
        "Prepaid stay",
        "Commission on a pay-at-hotel stay",
        "No-show fee",
    ]
    assert sum(row[3] for row in lines[1:]) == 400
