"""A person logs in through the real login page in Chromium and sees only their desks."""

from __future__ import annotations

from shared.auth import Role
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync
from tests.support.servers import server_process


def test_login_shows_each_person_only_their_desks() -> None:
    agent_pw = create_user_sync("lina", Role.AGENT)
    desk_pw = create_user_sync("chenjing", Role.CONFIRMATION_DESK)
    with server_process(workers=False, relay=False) as (base_url, _), chromium() as browser:
        agent = log_in(browser, base_url, "lina", agent_pw)
        menu = agent.get_by_role("navigation", name="Desks")
        assert menu.get_by_role("link", name="Bookings", exact=True).is_visible()
        assert menu.get_by_role("link", name="Confirmation queue").count() == 0
        desk = log_in(browser, base_url, "chenjing", desk_pw)
        assert (
            desk.get_by_role("navigation", name="Desks")
            .get_by_role("link", name="Confirmation queue")
            .is_visible()
        )
        desk.goto("/intake/")
        assert "needs one of the roles" in desk.locator("main").inner_text()


def test_wrong_password_shows_a_readable_message() -> None:
    create_user_sync("wangfang", Role.AGENT)
    with server_process(workers=False, relay=False) as (base_url, _), chromium() as browser:
        page = browser.new_page(base_url=base_url)
        page.goto("/login")
        page.get_by_label("User name").fill("wangfang")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Log in").click()
        assert "Unknown user or wrong password." in page.get_by_role("alert").inner_text()
