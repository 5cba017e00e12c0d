"""The booking reference: how intake draws one and how others recognise one (IN-4, CF-4).

``RL`` + 8 characters of base32 (40 random bits): short enough to read out on a call. The
alphabet has no I, O, 0 or 1 (misheard on the phone), and a reference with 4 or more digits
in a row is drawn again, so it never looks like a phone number to people or to the log
masker (``shared.observability``). Intake draws them; the confirmation desk finds them in
hotels' replies; both read this one definition.
"""

from __future__ import annotations

import re
import secrets

REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
REF_LENGTH = 10
_DIGIT_RUN = re.compile(r"\d{4,}")
# Case-insensitive: a hotel may type it in lower case; callers upper-case what they find.
BOOKING_REF_RE = re.compile(rf"\bRL[{REF_ALPHABET}]{{8}}\b", re.IGNORECASE)


def new_booking_ref() -> str:
    while True:
        ref = "RL" + "".join(secrets.choice(REF_ALPHABET) for _ in range(8))
        if not _DIGIT_RUN.search(ref):
            return ref


def find_booking_refs(text: str) -> list[str]:
    """Every distinct booking reference in ``text``, upper-cased, in order of appearance."""
    return list(dict.fromkeys(match.upper() for match in BOOKING_REF_RE.findall(text)))
