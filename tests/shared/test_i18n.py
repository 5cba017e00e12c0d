"""Simplified Chinese first, English second (issue 15): the business's default is Chinese,
each person switches in the top bar, and the choice follows them to their next login."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from shared import i18n
from shared.auth import Role
from tests.support.clients import StaffClient


@pytest.fixture
def chinese_by_default(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("ROOMLINE_DEFAULT_LOCALE", raising=False)
    i18n.default_locale.cache_clear()
    yield
    i18n.default_locale.cache_clear()


async def saved_locale(sessionmaker, username: str) -> str | None:
    async with sessionmaker() as session:
        query = text("SELECT locale FROM gateway.staff_user WHERE username = :u")
        return (await session.execute(query, {"u": username})).scalar()


async def test_the_business_default_is_chinese(chinese_by_default, login_as) -> None:
    agent = await login_as("li", Role.AGENT)
    shell = await agent.page("/")
    assert '<html lang="zh-CN">' in shell.text
    assert "退出登录" in shell.text and "Log out" not in shell.text
    assert ">预订<" in shell.text  # the desk menu


async def test_a_person_switches_language_and_it_follows_them_to_the_next_login(
    login_as, http, sessionmaker
) -> None:
    agent = await login_as("li", Role.AGENT)
    assert "Log out" in (await agent.page("/")).text

    switched = await agent.post_form("/language", {"locale": "zh_CN", "next": "/intake/"})
    assert switched.status_code == 303 and switched.headers["location"] == "/intake/"
    page = await agent.page("/intake/")
    assert '<html lang="zh-CN">' in page.text and "退出登录" in page.text
    assert await saved_locale(sessionmaker, "li") == "zh_CN"

    # Another browser: the login brings the saved choice with it.
    elsewhere = await StaffClient(await http()).login("li")
    assert "退出登录" in (await elsewhere.page("/")).text

    back = await elsewhere.post_form("/language", {"locale": "en", "next": "/"})
    assert back.status_code == 303
    assert "Log out" in (await elsewhere.page("/")).text
    assert await saved_locale(sessionmaker, "li") == "en"
    async with sessionmaker() as session:
        audited = await session.execute(
            text("SELECT count(*) FROM gateway.audit_log WHERE action = 'choose_locale'")
        )
        assert audited.scalar() == 2


async def test_an_unknown_language_is_refused_and_changes_nothing(login_as, sessionmaker) -> None:
    agent = await login_as("li", Role.AGENT)
    response = await agent.post_form("/language", {"locale": "fr", "next": "/"})
    assert response.status_code == 422
    assert "Locale" in response.text  # the field, named on the page (issue 15)
    assert await saved_locale(sessionmaker, "li") is None


async def test_switching_needs_a_login_and_the_csrf_token(http, login_as) -> None:
    anonymous = await http()
    refused = await anonymous.post("/language", data={"locale": "en"})
    assert refused.status_code in (401, 303)
    agent = await login_as("li", Role.AGENT)
    forged = await agent.http.post("/language", data={"locale": "en"})
    assert forged.status_code == 403


def test_money_dates_and_numbers_follow_the_locale() -> None:
    i18n.set_locale("zh_CN")
    assert i18n.local_money(168000, "CNY") == "¥1,680.00"
    assert i18n.local_money(1500, "JPY") == "JP¥1,500"
    assert i18n.local_date(date(2026, 12, 6)) == "2026年12月6日"
    assert i18n.gettext("Log out") == "退出登录"
    i18n.set_locale("en")
    assert i18n.local_money(168000, "CNY") == "CN¥1,680.00"
    assert i18n.local_date(date(2026, 12, 6)) == "Dec 6, 2026"
    assert i18n.local_number(1234567.5) == "1,234,567.5"
    assert i18n.gettext("Log out") == "Log out"
    i18n.set_locale(None)
