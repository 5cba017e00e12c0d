"""Every text a person reads is in the message catalogs, and every catalog text has its
Chinese (issue 15). Templates are checked file by file: text between tags or in a title,
placeholder, aria-label or alt outside ``_()`` / ``{% trans %}`` fails its file's test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared.i18n import ROOT, catalog_dirs
from tests.support.template_text import untranslated_text
from workers.messages import all_sources, missing_chinese, read_catalog

TEMPLATES = sorted(
    [*ROOT.glob("services/**/templates/**/*.html"), *ROOT.glob("shared/ui/templates/**/*.html")]
)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_template_has_no_text_outside_the_catalogs(template: Path) -> None:
    assert untranslated_text(template) == []


@pytest.mark.parametrize("source", all_sources())
def test_every_marked_text_has_chinese(source: str) -> None:
    assert missing_chinese(source) == []


def test_the_finder_sees_text_tags_attributes_and_leaves_translated_text(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<h1>{{ _("Bookings") }}</h1><p title="Raw title">Raw text {{ count }}</p>'
        '{% trans n=count %}{{ n }} rooms left{% endtrans %}<input placeholder="{{ _("City") }}">'
        "<script>const notText = 'x';</script> · → 12"
    )
    assert untranslated_text(page) == ["Raw title", "Raw text"]


@pytest.mark.parametrize("source", all_sources())
def test_a_service_never_translates_one_text_two_ways(source: str) -> None:
    """Within one service (its catalogs and the kit's) a text has one Chinese: the pages
    merge them, and the first would silently win (shared.i18n.translations)."""
    directories = [d for d in catalog_dirs() if d.is_relative_to(ROOT / "shared")]
    if source != "shared":
        directories += [d for d in catalog_dirs() if d.is_relative_to(ROOT / "services" / source)]
    seen: dict[str, set[str]] = {}
    for directory in directories:
        for message in read_catalog(directory.parent):
            if message.id and isinstance(message.id, str) and message.string:
                seen.setdefault(message.id, set()).add(str(message.string))
    assert {text: ways for text, ways in seen.items() if len(ways) > 1} == {}


PERCENT_TOKEN = re.compile(r"%(?:\([A-Za-z_]\w*\))?[a-z%]|%.?", re.S)


def percent_tokens(text: str) -> list[str]:
    """The %-placeholders of a text (``%(name)s``, ``%%``, and a stray ``%`` as itself)."""
    return sorted(PERCENT_TOKEN.findall(text))


@pytest.mark.parametrize("source", all_sources())
def test_a_translation_keeps_the_texts_placeholders(source: str) -> None:
    """A Chinese text with a placeholder or a bare % its English lacks breaks the page that
    formats it (Jinja's ``_()`` always applies ``%``): "NO-SHOW 率（%）" was a 500."""
    directories = [d for d in catalog_dirs() if d.is_relative_to(ROOT / "shared")]
    if source != "shared":
        directories += [d for d in catalog_dirs() if d.is_relative_to(ROOT / "services" / source)]
    broken = {
        message.id: message.string
        for directory in directories
        for message in read_catalog(directory.parent)
        if isinstance(message.id, str)
        and message.string
        and percent_tokens(message.id) != percent_tokens(str(message.string))
    }
    assert broken == {}


def test_the_placeholder_check_sees_a_stray_percent() -> None:
    assert percent_tokens("rate (%)") != percent_tokens("rate")
    assert percent_tokens("%(n)s nights, 10%%") == percent_tokens("%(n)s 晚，10%%")
