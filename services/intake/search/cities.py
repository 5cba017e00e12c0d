"""A city as the caller says it (IN-2): Chinese, pinyin, English or a common alias.

Hotels' cities come from contracts' hotel snapshots as typed there ("Beijing", maybe "北京市"),
so the search first finds which of those spellings the agent means, then filters on them.
Each city the hotel data holds is known by its own spelling and, when it is Chinese, by its
toneless pinyin; a city in the curated table below is also known by all of the table's names.
Keys ignore case, spaces, apostrophes, tone marks and a trailing 市: "Bei Jing", "běijīng",
"北京市" and "Peking" are the same key set.

A name that matches no hotel's city is answered with "no city called …" and close matches
(difflib), never with "nothing sellable on these dates", which blames the stay.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice, product

from pypinyin import Style, lazy_pinyin, pinyin

# Chinese name first, then English and other names, then aliases callers use. Small on
# purpose: pinyin comes from pypinyin for any city, the table adds only what pinyin cannot.
CURATED: tuple[tuple[str, ...], ...] = (
    ("北京", "Beijing", "Peking", "京", "帝都", "北平"),
    ("上海", "Shanghai", "沪", "申", "魔都"),
    ("广州", "Guangzhou", "Canton", "穗", "羊城"),
    ("深圳", "Shenzhen", "深", "鹏城"),
    ("杭州", "Hangzhou", "杭"),
    ("成都", "Chengdu", "Chengtu", "蓉", "蓉城"),
    ("西安", "Xi'an", "Sian", "镐京"),
    ("南京", "Nanjing", "Nanking", "宁", "金陵"),
    ("重庆", "Chongqing", "Chungking", "渝", "山城"),
    ("天津", "Tianjin", "Tientsin", "津"),
    ("武汉", "Wuhan", "江城"),
    ("苏州", "Suzhou", "姑苏"),
    ("厦门", "Xiamen", "Amoy", "鹭岛"),
    ("青岛", "Qingdao", "Tsingtao"),
    ("三亚", "Sanya"),
    ("香港", "Hong Kong", "HK", "港"),
    ("澳门", "Macau", "Macao", "澳"),
)

_SEPARATORS = re.compile(r"[\s'’`·.\-_]+")
_HAN = re.compile(r"[\u3400-\u9fff]")
_TONE_DIGITS = re.compile(r"(?<=[a-z])[1-5]")  # "bei3jing1"


def key(name: str) -> str:
    """A name as compared: case, width, spaces, apostrophes, tones and a final 市 ignored."""
    text = unicodedata.normalize("NFKC", name).strip().lower()
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = unicodedata.normalize("NFC", _SEPARATORS.sub("", text))
    if len(text) > 2 and text.endswith("市"):  # 北京市 → 北京, but 市 alone stays
        text = text[:-1]
    return _TONE_DIGITS.sub("", text)


def pinyin_key(name: str) -> str:
    """The toneless pinyin of a Chinese name ("北京" → "beijing"); "" when it has no Chinese."""
    plain = key(name)
    return key("".join(lazy_pinyin(plain))) if _HAN.search(plain) else ""


def readings(name: str) -> set[str]:
    """Every toneless pinyin a Chinese name may be read as (朝阳: "chaoyang", "zhaoyang"): a
    caller's pinyin or the hotel data's latin spelling may follow any of them."""
    plain = key(name)
    if not _HAN.search(plain):
        return set()
    options = pinyin(plain, style=Style.NORMAL, heteronym=True, errors="default")
    return {key("".join(p)) for p in islice(product(*options), 64)}


def _curated_keys() -> dict[str, frozenset[str]]:
    """Every key of a curated city → all that city's keys (pinyin of the Chinese name too;
    not of the aliases: 蓉城 read as "rongcheng" is another city)."""
    index: dict[str, frozenset[str]] = {}
    for names in CURATED:
        keys = frozenset({*(key(n) for n in names), pinyin_key(names[0])})
        for k in keys:
            index[k] = keys
    return index


CURATED_KEYS = _curated_keys()
CHINESE_OF = {key(n): names[0] for names in CURATED for n in names} | {
    pinyin_key(names[0]): names[0] for names in CURATED
}


def keys_of(city: str) -> frozenset[str]:
    """All the keys a hotel's city is known by."""
    own = {key(city), pinyin_key(city)} - {""}
    for k in list(own):
        own |= CURATED_KEYS.get(k, frozenset())
    return frozenset(own)


@dataclass(frozen=True)
class Resolved:
    """What a typed city means: the hotel data's spellings of it ([] when none)."""

    typed: str
    spellings: list[str]
    known: bool  # a city of the curated table, though no hotel has it
    suggestions: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The city as the results name it: the hotel data's first spelling."""
        return self.spellings[0] if self.spellings else self.typed


def resolve(typed: str, hotel_cities: Iterable[str]) -> Resolved:
    """The hotel cities the agent means by ``typed``, or close matches when there are none.

    Typed Chinese is compared as Chinese with Chinese spellings: only a city the hotel data
    spells in latin letters is compared by pinyin (宿州 is not 苏州, though both are "suzhou")."""
    cities = sorted(set(hotel_cities))
    own = key(typed)
    wanted = {own} | CURATED_KEYS.get(own, frozenset())
    sounds = readings(typed)
    spellings = [city for city in cities if _means(city, wanted, sounds)]
    if spellings:
        return Resolved(typed, spellings, known=True)
    return Resolved(typed, [], known=own in CURATED_KEYS, suggestions=suggest(typed, cities))


def _means(city: str, wanted: set[str] | frozenset[str], sounds: set[str]) -> bool:
    keys = keys_of(city)
    return bool(keys & wanted) or (not _HAN.search(city) and bool(keys & sounds))


def suggest(typed: str, cities: list[str], *, limit: int = 3) -> list[str]:
    """Hotel cities spelled like ``typed`` ("Bejing" → Beijing, "北惊" → 北京's hotels)."""
    by_key: dict[str, str] = {}
    for city in cities:
        for k in keys_of(city):
            by_key.setdefault(k, city)
    found: list[str] = []
    for typed_key in (pinyin_key(typed), key(typed)):
        for k in difflib.get_close_matches(typed_key, list(by_key), n=limit, cutoff=0.7):
            if by_key[k] not in found:
                found.append(by_key[k])
    return found[:limit]


def chinese_name(city: str) -> str:
    """The Chinese name of a curated city ("Beijing" → "北京"), else ""."""
    return next((CHINESE_OF[k] for k in sorted(keys_of(city)) if k in CHINESE_OF), "")


def district_named(typed: str, districts: Iterable[str]) -> str | None:
    """The one district of the city the caller means when the hotel data spells it another
    way ("东城区" or "dong cheng" for "Dongcheng"); None when the typed text already is part
    of a district's name (the search matches that itself) or nothing matches."""
    names = list(districts)
    if not typed.strip() or any(typed.strip().lower() in n.lower() for n in names):
        return None
    wanted = {_bare(typed)} | readings(_bare(typed))
    found = [n for n in names if ({_bare(n)} | readings(_bare(n))) & wanted]
    return found[0] if len(found) == 1 else None


def _bare(district: str) -> str:
    """A district's key without its 区 or 县 ("东城区" → "东城")."""
    plain = key(district)
    return plain[:-1] if len(plain) > 2 and plain[-1] in "区县" else plain
