"""Finds text a person would read in a Jinja template that is not in the message catalogs
(issue 15): text between tags and in the attributes people read (title, placeholder,
aria-label, alt), outside ``{% trans %}`` blocks and ``{{ _("…") }}`` calls."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment

HOLE = "\x01"  # where a Jinja expression or block stood
READ_ATTRIBUTES = frozenset({"title", "placeholder", "aria-label", "alt"})
WORDS = re.compile(r"[A-Za-z\u3400-\u9fff]")
# Not words for a translator: the brand, and what is the same in every language.
NOT_TRANSLATED = frozenset({"roomline"})

_env = Environment(extensions=["jinja2.ext.i18n"])


def _without_jinja(source: str) -> str:
    """The template's HTML with every Jinja part (and everything inside trans) as a hole."""
    parts: list[str] = []
    in_trans = False
    after_block_begin = False
    for _line, kind, value in _env.lex(source):
        if kind == "block_begin":
            after_block_begin = True
        elif kind == "name" and after_block_begin:
            if value == "trans":
                in_trans = True
            elif value == "endtrans":
                in_trans = False
            after_block_begin = False
        elif kind not in ("whitespace",):
            after_block_begin = False if kind != "block_begin" else after_block_begin
        if kind == "data" and not in_trans:
            parts.append(value)
        elif not parts or parts[-1] != HOLE:
            parts.append(HOLE)
    return "".join(parts)


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skipping = 0

    def _check(self, text: str) -> None:
        words = text.replace(HOLE, " ").strip()
        meaningful = " ".join(w for w in words.split() if w not in NOT_TRANSLATED)
        if WORDS.search(meaningful):
            self.found.append(words)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skipping += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self._check(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._check(data)


def untranslated_text(path: Path) -> list[str]:
    finder = _TextFinder()
    finder.feed(_without_jinja(path.read_text(encoding="utf-8")))
    finder.close()
    return finder.found
