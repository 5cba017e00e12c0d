"""The names a booking is found by, reduced to comparable keys (issue 15).

A caller gives a name as they say it: "王芳", "wang fang", "Wangfang", "WANG Fang". Each name
on a booking (the booker and every guest) is kept in ``booking.search_names`` twice: as typed,
lower-cased with everything but letters and digits dropped ("王芳", "johnsmith"), and, when it
holds Chinese characters, as toneless pinyin run together ("wangfang"; "lv" for 吕 also as
"lu", since agents type both). A query is reduced the same way and matched as a substring, so
"fang" and "王" find 王芳 too. Keys are separated by a space, which no key contains, so a query
never matches across two names.
"""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def plain(text: str) -> str:
    """Letters and digits only, lower-cased (full-width forms folded by NFKC)."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if ch.isalnum())


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


def pinyin(text: str) -> str:
    """Toneless pinyin run together: "王芳" -> "wangfang" ("" when ``text`` has no Chinese)."""
    if not has_han(text):
        return ""
    return plain("".join(lazy_pinyin(text, style=Style.NORMAL)))


def name_keys(name: str) -> list[str]:
    """Every key one name is found by."""
    keys = [plain(name)]
    spelled = pinyin(name)
    if spelled:
        keys.append(spelled)
        if "v" in spelled:  # ü: pypinyin writes "lv"; people also type "lu"
            keys.append(spelled.replace("v", "u"))
    return [key for key in keys if key]


def search_names(booker_name: str, guest_names: list[str]) -> str:
    """The value of ``booking.search_names``: each distinct key once, space separated."""
    keys: dict[str, None] = {}
    for name in [booker_name, *guest_names]:
        keys.update(dict.fromkeys(name_keys(name)))
    return " ".join(keys)
