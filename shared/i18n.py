"""Simplified Chinese first, English second (issue 15): message catalogs, the person's locale,
and dates, numbers and money formatted by it.

Texts are written in English in the code and templates (``_("Log out")``,
``{% trans %}…{% endtrans %}``) and translated in gettext catalogs: the kit's in
``shared/locales/zh_CN/LC_MESSAGES/messages.po``, each service's (or feature package's) in
``services/<name>[/<feature>]/locales/…``. All are merged into one translation per locale
when first used.
``python -m workers.messages`` extracts new texts into the catalogs (Babel); a test fails when
a template has text outside them or a text has no Chinese.

The locale of a request comes from the ``roomline_locale`` cookie, set at login from the
person's saved choice (the gateway's staff record) and when they switch; without it, the
business's default (``ROOMLINE_DEFAULT_LOCALE``, Chinese).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from gettext import NullTranslations
from pathlib import Path
from typing import Any, Literal

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, get_currency_precision
from babel.support import Translations
from jinja2 import Environment
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.types import ASGIApp, Receive, Scope, Send

LocaleName = Literal["zh_CN", "en"]
LOCALES: tuple[LocaleName, ...] = ("zh_CN", "en")
LOCALE_NAMES = {"zh_CN": "中文", "en": "English"}
COOKIE = "roomline_locale"
ROOT = Path(__file__).resolve().parent.parent
CATALOG_DOMAIN = "messages"


class LocaleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ROOMLINE_", extra="ignore")

    default_locale: LocaleName = "zh_CN"


@lru_cache
def default_locale() -> LocaleName:
    return LocaleSettings().default_locale


_current: ContextVar[str | None] = ContextVar("roomline_locale", default=None)
# The service answering the request: its own catalogs win where two services translate the
# same English text differently ("Booking": 订单 on one desk, 预订 on another).
_service: ContextVar[str | None] = ContextVar("roomline_service", default=None)


def current_locale() -> str:
    return _current.get() or default_locale()


def set_locale(locale: str | None) -> None:
    _current.set(locale if locale in LOCALES else None)


def catalog_dirs() -> list[Path]:
    """Where catalogs live: the kit's, then every service's and feature package's
    (``services/intake/locales``, ``services/intake/booking/locales``)."""
    return [ROOT / "shared" / "locales", *sorted((ROOT / "services").glob("**/locales"))]


def catalog_files(locale: str, service: str | None = None) -> Iterator[Path]:
    """The catalogs of ``locale``: the answering service's own first, then the kit's, then
    the other services' (a page may show a text another service marked, like desk titles)."""
    own = ROOT / "services" / service if service else None
    dirs = catalog_dirs()
    ordered = [d for d in dirs if own and d.is_relative_to(own)]
    ordered += [d for d in dirs if d not in ordered]
    for directory in ordered:
        path = directory / locale / "LC_MESSAGES" / f"{CATALOG_DOMAIN}.po"
        if path.exists():
            yield path


@lru_cache
def translations(locale: str, service: str | None = None) -> NullTranslations:
    """Every catalog of ``locale`` merged, the first translation of a text winning."""
    merged = Catalog(locale=locale, domain=CATALOG_DOMAIN)
    for path in catalog_files(locale, service):
        with path.open("rb") as file:
            catalog = read_po(file, locale=locale)
        for message in catalog:
            if message.id and message.string and not message.fuzzy and message.id not in merged:
                merged[message.id] = message
    if not len(merged):
        return NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, merged)
    buffer.seek(0)
    return Translations(buffer, domain=CATALOG_DOMAIN)


def gettext(message: str) -> str:
    return translations(current_locale(), _service.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translations(current_locale(), _service.get()).ngettext(singular, plural, count)


def both(message: str, service: str | None = None) -> str:
    """Chinese and English together, for documents sent outside (order sheets, letters): the
    hotel reads the Chinese, a foreign guest the English, whoever's screen made it. ``service``
    puts that service's catalogs first outside a request (a worker rendering a document)."""
    chinese = translations("zh_CN", service or _service.get()).gettext(message)
    return message if chinese == message else f"{chinese} / {message}"


_ = gettext


def N_(message: str) -> str:
    """Marks a text for the catalogs where it is defined; it is translated where it is shown
    (``{{ _(desk.title) }}``)."""
    return message


def _babel_locale() -> Locale:
    return _parsed(current_locale())


@lru_cache(maxsize=8)
def _parsed(name: str) -> Locale:
    # Parsed once per locale: a search's results page formats ~150 amounts (bench/search.py).
    return Locale.parse(name)


def local_date(day: date | datetime, style: str = "medium") -> str:
    return format_date(day, format=style, locale=_babel_locale())


def local_datetime(at: datetime, style: str = "short") -> str:
    return format_datetime(at, format=style, locale=_babel_locale())


def local_number(value: int | float | Decimal) -> str:
    return format_decimal(value, locale=_babel_locale())


def local_money(minor: int, currency: str) -> str:
    """Minor units as the locale writes money: ¥1,680.00 in Chinese, CN¥1,680.00 in English."""
    return _money(int(minor), currency, current_locale())


@lru_cache(maxsize=16384)
def _money(minor: int, currency: str, locale: str) -> str:
    # Babel takes ~0.2 ms an amount, and a page of offers repeats its nightly prices: profiled
    # as half the render time of the search's results (bench/search.py, issue 19).
    places = get_currency_precision(currency)
    amount = Decimal(minor).scaleb(-places)
    return format_currency(amount, currency, locale=_parsed(locale))


def install(env: Environment) -> None:
    """Jinja's i18n extension on the current request's locale, and the locale's formatters."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["current_locale"] = current_locale
    env.globals["both"] = both
    env.globals["locales"] = LOCALE_NAMES
    env.filters["local_date"] = local_date
    env.filters["local_datetime"] = local_datetime
    env.filters["local_number"] = local_number


def html_lang() -> str:
    return "zh-CN" if current_locale() == "zh_CN" else "en"


def locale_from_cookie(header: bytes) -> str | None:
    for part in header.decode("latin-1").split(";"):
        name, _sep, value = part.strip().partition("=")
        if name == COOKIE and value in LOCALES:
            return value
    return None


class LocaleMiddleware:
    """Sets the request's locale from its cookie (the default when it has none)."""

    def __init__(self, app: ASGIApp, *, service: str | None = None) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            cookie = next((v for k, v in scope.get("headers", []) if k == b"cookie"), b"")
            set_locale(locale_from_cookie(cookie))
            _service.set(self.service)  # a mounted service's own middleware sets its name
        await self.app(scope, receive, send)


def cookie_settings(locale: str) -> dict[str, Any]:
    """The locale cookie: a year, readable by every service under the one site."""
    return {
        "key": COOKIE,
        "value": locale,
        "max_age": 365 * 24 * 3600,
        "path": "/",
        "samesite": "lax",
        "httponly": True,
    }
