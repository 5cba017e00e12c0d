"""The statement parsers (PAY-5) on files written from the specifications: camt.053.001.02
(a batch entry of three transactions, a reversal), camt.053.001.08 and MT940 (an RC reversal);
statements that do not add up are read with a warning, never fixed; a malformed file is
refused, naming why."""

from __future__ import annotations

from datetime import date

import pytest

from services.payments.bank.matching import mentions, similarity
from services.payments.bank.parsers import Malformed, parse
from services.payments.bank.parsers.model import DOES_NOT_ADD_UP
from tests.services.payments.bank_support import bank_file


def test_camt053_v02_reads_entries_batch_details_and_the_reversal() -> None:
    parsed = parse(bank_file("camt053_batch.xml"))

    assert parsed.format == "camt.053"
    [statement] = parsed.statements
    assert (statement.account, statement.currency, statement.statement_id) == (
        "CN00TEST0000000000001",
        "CNY",
        "RL-STMT-2026-12-03",
    )
    assert (statement.opening_minor, statement.closing_minor) == (100_000, 285_000)
    assert (statement.opening_date, statement.closing_date) == (
        date(2026, 12, 1),
        date(2026, 12, 3),
    )
    assert statement.warnings == []
    paid, batch, reversal = statement.entries
    assert (paid.amount_minor, paid.counterparty, paid.bank_reference) == (
        150_000,
        "Zhang Wei",
        "BANKREF-1",
    )
    assert "rl-7001" in paid.reference and "E2E-0001" in paid.reference
    assert not paid.reversal and paid.details == []
    assert batch.amount_minor == 60_000
    # BookgDt/DtTm 17:30 UTC is the next morning in the business's time zone.
    assert batch.booking_date == date(2026, 12, 3)
    assert [(d.amount_minor, d.reference, d.counterparty) for d in batch.details] == [
        (10_000, "Settlement SETT-A", "Hotel Alpha"),
        (20_000, "SETT-B", "Hotel Beta"),
        (30_000, "Settlement SETT-C", "Hotel Gamma"),
    ]
    assert (reversal.amount_minor, reversal.reversal, reversal.counterparty) == (
        -25_000,
        True,
        "Li Na",
    )


def test_camt053_whose_balances_do_not_add_up_is_read_with_a_warning() -> None:
    [statement] = parse(bank_file("camt053_not_adding_up.xml")).statements

    assert statement.account == "6222000011112222"  # Othr/Id, opening typed PRCD
    assert (statement.opening_minor, statement.closing_minor) == (50_000, 70_000)
    assert [e.amount_minor for e in statement.entries] == [10_000]  # as sent, not fixed
    assert statement.entries[0].counterparty == "Wang Fang"  # Dbtr/Pty/Nm (v08)
    [warning] = statement.warnings
    assert warning.message == DOES_NOT_ADD_UP
    assert warning.params == {
        "opening": "CNY 500.00",
        "entries": "CNY 100.00",
        "expected": "CNY 600.00",
        "closing": "CNY 700.00",
    }


def test_mt940_reads_the_rc_reversal_and_balances() -> None:
    parsed = parse(bank_file("mt940_reversal.sta"))

    assert parsed.format == "mt940"
    [statement] = parsed.statements
    assert (statement.account, statement.currency, statement.statement_id) == (
        "CN00TEST0000000000001",
        "CNY",
        "12/1",
    )
    assert (statement.opening_minor, statement.closing_minor, statement.warnings) == (
        100_000,
        230_000,
        [],
    )
    paid, returned = statement.entries
    assert (paid.amount_minor, paid.reversal, paid.counterparty) == (150_000, False, "ZHANG WEI")
    assert paid.booking_date == date(2026, 12, 2)
    # :86: wrapped the reference across lines; the match still finds it.
    assert mentions(paid.reference, "RL-7001")
    assert (returned.amount_minor, returned.reversal) == (-20_000, True)  # RC: a credit reversed


def test_mt940_whose_balances_do_not_add_up_is_read_with_a_warning() -> None:
    [statement] = parse(bank_file("mt940_not_adding_up.sta")).statements

    assert [e.amount_minor for e in statement.entries] == [5_000]
    [warning] = statement.warnings
    assert warning.params["expected"] == "CNY 150.00" and warning.params["closing"] == "CNY 200.00"


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (bank_file("camt053_no_closing.xml"), "has no closing balance (CLBD)"),
        (bank_file("mt940_no_closing.sta"), "has no :62F: or :62M: closing balance"),
        (b"<Document><BkToCstmrStmt>", "not well-formed XML"),
        (b"<html><body>hello</body></html>", "not a camt.053 statement"),
        (b'<!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;&a;</d>', "declares entities or a DTD"),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02"/>',
            "not a camt.053 statement",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.01"/>',
            "versions before .001.02",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/>'
            b"</Document>",
            "holds no statement",
        ),
        (b"date;amount\n2026-12-01;100\n", "neither a camt.053 (XML) nor an MT940"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "neither a camt.053 (XML) nor an MT940"),
        (b"   \n", "empty"),
    ],
)
def test_a_malformed_file_is_refused_saying_why(content: bytes, why: str) -> None:
    with pytest.raises(Malformed) as refused:
        parse(content)
    assert why in refused.value.detail
    assert refused.value.field == "file"


def test_an_amount_with_too_many_decimals_is_malformed() -> None:
    content = bank_file("mt940_not_adding_up.sta").replace(b"C50,00", b"C50,005")
    with pytest.raises(Malformed, match="more decimals than CNY allows"):
        parse(content)


@pytest.mark.parametrize(
    ("text", "reference", "found"),
    [
        ("Payment for booking rl-7001, thank you", "RL-7001", True),
        ("Payment RL-70 01 wrapped", "RL-7001", True),
        ("Payment RL-70011", "RL-7001", False),
        ("XRL-7001", "RL-7001", False),
        ("", "RL-7001", False),
    ],
)
def test_a_reference_is_found_whole_whatever_its_case(
    text: str, reference: str, found: bool
) -> None:
    assert mentions(text, reference) is found


def test_mt940_reads_wrapped_supplementary_details_and_a_stray_number_line() -> None:
    """ING's way (SWIFT blocks, ``:28C:`` with a stray line, ``:61:`` details over two more
    lines), read through the package's own tag extension point."""
    content = (
        b"{1:F01INGBNL2ABXXX0000000000}\n{2:I940INGBNL2AXXXN}\n{4:\n:20:P140220000000001\n"
        b":25:NL77INGB0574908765EUR\n:28C:0000\n0\n:60F:C140219EUR662,23\n"
        b":61:1402200220C1,56NTRFEREF//00000000001\n005\n/TRCD/00100/\n"
        b":86:/EREF/RL-7009//REMI/USTD//booking RL-7009/\n:62F:C140220EUR663,79\n-}"
    )
    [statement] = parse(content).statements

    assert statement.statement_id == "0000"
    [entry] = statement.entries
    assert (entry.amount_minor, entry.bank_reference) == (156, "00000000001")
    assert mentions(entry.reference, "RL-7009")
    assert statement.warnings == []


def test_a_mistyped_reference_is_still_like_the_expected_one() -> None:
    """The manual-match screen offers it as a candidate (PAY-5); an unrelated text is not."""
    assert similarity("Payment HOTEL-GAMA-2026-11 thanks", "HOTEL-GAMMA-2026-11") > 0.9
    assert similarity("Bank charges December", "HOTEL-GAMMA-2026-11") < 0.5
