"""How agents may type a hotel's name (IN-2): Chinese, English, full pinyin or pinyin initials.

Callers on the phone spell a name the way they heard it, so the projection keeps, next to the
Chinese name, its pinyin without tones or spaces ("wangfujingxierdunjiudian") and its initials
("wfjxedjd"), computed once when the hotel snapshot is projected. A search then needs only a
substring match on plain columns: no pinyin work per query.

``pypinyin`` picks one reading per character from its phrase dictionary (长安 is "chang'an",
not "zhang'an"); a polyphonic name read another way by the caller is found by its Chinese,
English or initials instead. Letters and digits already in the Chinese name ("JW万豪") are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

# The stored forms keep only latin letters and digits: what an agent types between syllables
# (spaces, xi'an's apostrophe, hyphens) and the name's own punctuation ("(东区)") both go.
_NOT_LATIN = re.compile(r"[^a-z0-9]+")
_TYPED_SEPARATORS = re.compile(r"[\s'’·.\-]+")


@dataclass(frozen=True, slots=True)
class Spellings:
    pinyin: str  # "wangfujingxierdunjiudian"
    initials: str  # "wfjxedjd"


def spellings(name_zh: str) -> Spellings:
    """The toneless pinyin and the initials of a Chinese name, lower case, no separators."""
    syllables = [_plain(s) for s in lazy_pinyin(name_zh, errors="default")]
    initials = [_plain(s) for s in lazy_pinyin(name_zh, style=Style.FIRST_LETTER, errors="default")]
    return Spellings(pinyin="".join(syllables), initials="".join(initials))


def latin_key(typed: str) -> str | None:
    """What the agent typed, as it would appear in the stored pinyin; None if it is not
    latin letters (then only the Chinese and English names are searched)."""
    key = _TYPED_SEPARATORS.sub("", typed).lower()
    return key if key and not _NOT_LATIN.search(key) else None


def _plain(text: str) -> str:
    # pypinyin writes ü as "v" (lv, nv), which is also what agents type on a keyboard.
    return _NOT_LATIN.sub("", text.lower())
