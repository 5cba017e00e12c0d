"""Phone numbers as people type them, reduced to one comparable key.

A caller's number is typed differently each time ("+86 139 1234 5678", "139-1234-5678",
"010 6512 0000", "+86 10 6512 0000"). ``phone_key`` keeps the digits, drops an international
prefix (00) and China's country code (86) when a full national number follows, and the
domestic trunk 0, so all spellings of one number share a key. ``PHONE_KEY_SQL`` is the same
function in SQL for expression indexes; both must change together (a test compares them).
"""

from __future__ import annotations

import re

_NON_DIGITS = re.compile(r"\D")
_COUNTRY = re.compile(r"^(00)?86(\d{10,})$")
_PHONE_TEXT = re.compile(r"\+?[\d\s()-]+")
MIN_DIGITS, MAX_DIGITS = 7, 20


def phone_key(typed: str) -> str:
    """The comparable key of a typed phone number ("" when it holds no digits)."""
    digits = _NON_DIGITS.sub("", typed)
    digits = _COUNTRY.sub(r"\2", digits)
    return digits.removeprefix("0") if len(digits) > MIN_DIGITS else digits


def is_phone(typed: str) -> bool:
    """Digits, spaces, brackets and dashes (a leading +), 7 to 20 digits."""
    digits = sum(ch.isdigit() for ch in typed)
    return bool(_PHONE_TEXT.fullmatch(typed)) and MIN_DIGITS <= digits <= MAX_DIGITS


def phone_key_sql(column: str) -> str:
    """``phone_key`` of ``column`` in PostgreSQL (immutable, so it can be indexed)."""
    digits = rf"regexp_replace({column}, '\D', '', 'g')"
    # No "(?:" here: SQLAlchemy's text() would read ":00" as a bind parameter.
    national = rf"regexp_replace({digits}, '^(00)?86(\d{{10,}})$', '\2')"
    return (
        f"(CASE WHEN length({national}) > {MIN_DIGITS} "
        f"THEN regexp_replace({national}, '^0', '') ELSE {national} END)"
    )
