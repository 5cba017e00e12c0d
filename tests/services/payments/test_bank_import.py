"""Importing bank files and matching their entries (PAY-5): an entry paying an open expected
payment settles it (Dr bank, Cr its clearing account, once); the same file twice imports once;
a malformed file stores nothing and says why; a statement that does not add up is kept with a
visible warning; reversals are never matched; the rest is matched or ignored by hand, audited."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select

from services.payments.bank import matching
from services.payments.bank.importer import MAX_BYTES
from services.payments.bank.models import BankImport, BankStatement
from services.payments.expected import ExpectedPayment
from shared.auth import Role, Staff
from shared.db import unit_of_work
from shared.errors import Forbidden
from shared.i18n import COOKIE
from tests.services.payments.bank_support import (
    audit_actions,
    bank_balance,
    bank_file,
    counts,
    entries,
    expected,
    postings_of,
    upload,
)


async def _status(sessionmaker, expected_id: uuid.UUID) -> str:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        row = await session.get(ExpectedPayment, expected_id)
        assert row is not None
        return row.status


async def test_pay5_auto_match_settles_the_expected_payment_once(login_as, sessionmaker) -> None:  # type: ignore[no-untyped-def]
    paid = await expected(sessionmaker, "RL-7001", 150_000)
    hotel_b = await expected(sessionmaker, "SETT-B", 20_000)
    wrong_amount = await expected(sessionmaker, "SETT-A", 10_001)
    finance = await login_as("fang", Role.FINANCE)

    response = await upload(finance, "camt053_batch.xml")

    assert response.status_code == 200, response.text
    assert "Imported 1 statement(s) with 3 entries; 2 matched automatically." in response.text
    # The page counts what still waits (the batch's other two details, the reversal), not
    # the two just matched.
    assert 'id="waiting-count">3<' in response.text
    stored = await entries(sessionmaker)
    assert stored["BANKREF-1"].state == "matched"
    assert stored["BANKREF-1"].expected_payment_id == paid
    assert stored["BANKREF-2"].state == "batch"  # its details are matched one by one
    assert (stored["B2-2"].state, stored["B2-2"].expected_payment_id) == ("matched", hotel_b)
    assert stored["B2-1"].state == "unmatched"  # SETT-A expected 100.01: not the same amount
    assert stored["BANKREF-3"].reversal and stored["BANKREF-3"].state == "unmatched"
    assert await _status(sessionmaker, wrong_amount) == "open"
    clears = await _clears(sessionmaker, paid)
    assert clears.startswith("guest_receivable:")
    assert await postings_of(sessionmaker, paid) == [("bank", 150_000), (clears, -150_000)]
    assert await bank_balance(sessionmaker) == 170_000

    again = await upload(finance, "camt053_batch.xml")

    assert again.status_code == 200
    assert "This file was imported already" in again.text
    assert (await counts(sessionmaker))["imports"] == 1
    assert (await counts(sessionmaker))["entries"] == 6  # 3 entries + 3 batch details
    assert await bank_balance(sessionmaker) == 170_000  # nothing posted twice


async def _clears(sessionmaker, expected_id: uuid.UUID) -> str:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        row = await session.get(ExpectedPayment, expected_id)
        assert row is not None
        return row.clears_account


async def test_pay5_the_same_file_uploaded_twice_at_once_imports_once(
    login_as, sessionmaker
) -> None:  # type: ignore[no-untyped-def]
    paid = await expected(sessionmaker, "RL-7001", 150_000)
    first = await login_as("fang", Role.FINANCE)
    second = await login_as("fei", Role.FINANCE)

    answers = await asyncio.gather(
        upload(first, "camt053_batch.xml"), upload(second, "camt053_batch.xml")
    )

    assert sorted(a.status_code for a in answers) == [200, 200]
    assert sum("imported already" in a.text for a in answers) == 1
    assert (await counts(sessionmaker))["imports"] == 1
    assert len(await postings_of(sessionmaker, paid)) == 2
    assert await bank_balance(sessionmaker) == 150_000


async def test_pay5_a_statement_imported_before_in_another_file_is_skipped(
    login_as, sessionmaker
) -> None:  # type: ignore[no-untyped-def]
    paid = await expected(sessionmaker, "RL-7001", 150_000)
    finance = await login_as("fang", Role.FINANCE)
    await upload(finance, "mt940_reversal.sta")
    before = await counts(sessionmaker)
    # The same statement again, in a file with SWIFT blocks around it (another sha256).
    wrapped = b"{1:F01TESTCNBJAXXX0000000000}{2:I940TESTCNBJXXXXN}{4:\n"
    wrapped += bank_file("mt940_reversal.sta").replace(b"\n-\n", b"\n-}")

    response = await upload(finance, "again.940", wrapped)

    assert response.status_code == 200, response.text
    assert "Imported 0 statement(s) with 0 entries" in response.text
    after = await counts(sessionmaker)
    assert (after["imports"], after["statements"], after["entries"], after["ledger"]) == (
        2,
        before["statements"],
        before["entries"],
        before["ledger"],
    )
    assert len(await postings_of(sessionmaker, paid)) == 2
    async with sessionmaker() as session:
        second = await session.scalar(select(BankImport).where(BankImport.file_name == "again.940"))
        assert second is not None
    page = await finance.page(f"/payments/bank/imports/{second.import_id}")
    assert "was imported before from another file" in page.text


async def test_pay5_an_ambiguous_reference_is_left_for_a_person(login_as, sessionmaker) -> None:  # type: ignore[no-untyped-def]
    one = await expected(sessionmaker, "RL-7001", 150_000)
    two = await expected(sessionmaker, "rl-7001", 150_000)
    finance = await login_as("fang", Role.FINANCE)

    response = await upload(finance, "camt053_batch.xml")

    assert "0 matched automatically" in response.text
    assert {await _status(sessionmaker, one), await _status(sessionmaker, two)} == {"open"}


async def test_pay5_a_malformed_file_changes_nothing_and_says_why(login_as, sessionmaker) -> None:  # type: ignore[no-untyped-def]
    await expected(sessionmaker, "RL-7001", 150_000)
    finance = await login_as("fang", Role.FINANCE)
    before = await counts(sessionmaker)

    for name, why in [
        ("camt053_no_closing.xml", "has no closing balance (CLBD)"),
        ("mt940_no_closing.sta", "has no :62F: or :62M: closing balance"),
        ("notes.txt", "neither a camt.053 (XML) nor an MT940 statement"),
    ]:
        content = b"just some notes" if name == "notes.txt" else None
        response = await upload(finance, name, content)
        assert response.status_code == 422, response.text
        assert why in response.text
        assert 'aria-invalid="true"' in response.text  # beside the file field

    no_file = await finance.post_form("/payments/bank", {})
    assert no_file.status_code == 422
    assert "Choose a camt.053 (.xml) or MT940 file to upload." in no_file.text
    assert await counts(sessionmaker) == before


async def test_pay5_a_statement_that_does_not_add_up_is_kept_with_a_warning(
    login_as, sessionmaker
) -> None:  # type: ignore[no-untyped-def]
    finance = await login_as("fang", Role.FINANCE)

    response = await upload(finance, "camt053_not_adding_up.xml")

    assert "1 warning(s)" in response.text
    async with sessionmaker() as session:
        statement = await session.scalar(select(BankStatement))
        assert statement is not None
        assert (statement.opening_minor, statement.closing_minor) == (50_000, 70_000)
        import_id = statement.import_id
    page = await finance.page(f"/payments/bank/imports/{import_id}")
    assert "The balances do not add up" in page.text
    assert "CNY 700.00" in page.text
    finance.http.cookies.set(COOKIE, "zh_CN")
    chinese = await finance.page(f"/payments/bank/imports/{import_id}")
    assert "余额对不上：期初 CNY 500.00 加上流水 CNY 100.00 应为 CNY 600.00" in chinese.text


async def test_pay5_mt940_reversal_is_never_matched(login_as, sessionmaker) -> None:  # type: ignore[no-untyped-def]
    paid = await expected(sessionmaker, "RL-7001", 150_000)
    back = await expected(sessionmaker, "RL-7004", 20_000, direction="out")
    finance = await login_as("fang", Role.FINANCE)

    await upload(finance, "mt940_reversal.sta")

    stored = await entries(sessionmaker)
    assert stored["BANKREF1"].expected_payment_id == paid
    assert (stored["BANKREF2"].reversal, stored["BANKREF2"].state) == (True, "unmatched")
    refused = await finance.post_form(
        f"/payments/bank/entries/{stored['BANKREF2'].entry_id}/match",
        {"expected_payment_id": str(back)},
    )
    assert refused.status_code == 409
    assert "A reversal is not matched" in refused.text
    assert await _status(sessionmaker, back) == "open"


async def test_pay5_manual_match_and_ignore_are_audited(login_as, sessionmaker) -> None:  # type: ignore[no-untyped-def]
    gamma = await expected(sessionmaker, "HOTEL-GAMMA-2026-11", 30_000)
    finance = await login_as("fang", Role.FINANCE)
    await upload(finance, "camt053_batch.xml")
    stored = await entries(sessionmaker)
    detail = stored["B2-3"]
    assert detail.state == "unmatched"  # its text does not carry the reference

    screen = await finance.page(f"/payments/bank/entries/{detail.entry_id}")
    assert screen.status_code == 200
    assert 'data-reference="HOTEL-GAMMA-2026-11"' in screen.text
    matched = await finance.post_form(
        f"/payments/bank/entries/{detail.entry_id}/match", {"expected_payment_id": str(gamma)}
    )
    assert matched.status_code == 303, matched.text
    assert await _status(sessionmaker, gamma) == "matched"
    assert [amount for _account, amount in await postings_of(sessionmaker, gamma)] == [
        30_000,
        -30_000,
    ]
    twice = await finance.post_form(
        f"/payments/bank/entries/{detail.entry_id}/match", {"expected_payment_id": str(gamma)}
    )
    assert twice.status_code == 409
    assert len(await postings_of(sessionmaker, gamma)) == 2

    reversal = stored["BANKREF-3"].entry_id
    blank = await finance.post_form(f"/payments/bank/entries/{reversal}/ignore", {"reason": "  "})
    assert blank.status_code == 422
    assert "Say why this entry is ignored." in blank.text
    ignored = await finance.post_form(
        f"/payments/bank/entries/{reversal}/ignore", {"reason": "Guest's bank sent it back"}
    )
    assert ignored.status_code == 303
    assert (await entries(sessionmaker))["BANKREF-3"].state == "ignored"
    unmatched = await finance.page("/payments/bank/unmatched")
    assert f'data-entry="{reversal}"' not in unmatched.text
    assert f'data-entry="{stored["B2-1"].entry_id}"' in unmatched.text
    assert await audit_actions(sessionmaker) == [
        ("bank_file_imported", "fang"),
        ("bank_entry_matched", "fang"),
        ("bank_entry_ignored", "fang"),
    ]


async def test_pay5_only_finance_reaches_the_bank(login_as, sessionmaker) -> None:  # type: ignore[no-untyped-def]
    await expected(sessionmaker, "RL-7001", 150_000)
    finance = await login_as("fang", Role.FINANCE)
    await upload(finance, "camt053_batch.xml")
    entry = (await entries(sessionmaker))["B2-1"].entry_id
    desk = await login_as("qian", Role.COLLECT_DESK, Role.TEAM_LEAD)

    assert (await desk.page("/payments/bank")).status_code == 403
    assert (await upload(desk, "mt940_reversal.sta")).status_code == 403
    assert (
        await desk.post_form(f"/payments/bank/entries/{entry}/ignore", {"reason": "x"})
    ).status_code == 403
    assert (await counts(sessionmaker))["imports"] == 1

    # The service checks the role again itself (anything that moves money).
    lead = Staff(
        user_id=9, username="qian", display_name="Qian", roles=("team_lead",), csrf_token=""
    )
    try:
        async with unit_of_work(sessionmaker) as session:
            await matching.ignore(session, entry_id=entry, reason="no", staff=lead)
    except Forbidden:
        pass
    else:
        raise AssertionError("a team lead ignored a bank entry")


async def test_pay5_a_file_over_the_cap_is_refused_and_stores_nothing(
    login_as, sessionmaker
) -> None:  # type: ignore[no-untyped-def]
    finance = await login_as("fang", Role.FINANCE)
    big = bank_file("mt940_reversal.sta") + b" " * MAX_BYTES

    response = await upload(finance, "big.sta", big)

    assert response.status_code == 422
    assert "The file is larger than 5 MB." in response.text
    assert (await counts(sessionmaker))["imports"] == 0
