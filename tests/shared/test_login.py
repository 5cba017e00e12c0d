"""Login with argon2 hashes, server-side sessions, CSRF on every form."""

from __future__ import annotations

import re

from shared.auth import Role


async def test_login_opens_shell_with_the_users_desks(login_as) -> None:
    agent = await login_as("ana", Role.AGENT)
    shell = await agent.page("/")
    assert shell.status_code == 200
    assert "Bookings" in shell.text and "Confirmation queue" not in shell.text


async def test_wrong_password_is_refused_with_a_readable_message(http, login_as) -> None:
    await login_as("bo", Role.AGENT)
    client = await http()
    form = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    response = await client.post(
        "/login", data={"username": "bo", "password": "nope-nope-nope", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "wrong password" in response.text
    assert "roomline_session" not in response.cookies


async def test_login_without_csrf_token_is_refused(http, login_as) -> None:
    await login_as("cy", Role.AGENT)
    client = await http()
    response = await client.post("/login", data={"username": "cy", "password": "test-cy-password"})
    assert response.status_code == 403
    assert "roomline_session" not in response.cookies


async def test_logout_ends_the_session(login_as) -> None:
    agent = await login_as("di", Role.AGENT)
    out = await agent.post_form("/logout", {})
    assert out.status_code == 303
    again = await agent.page("/intake/")
    assert again.status_code == 303 and "/login" in again.headers["location"]


async def test_session_expires_with_its_redis_ttl(login_as, web_app) -> None:
    agent = await login_as("ed", Role.AGENT)
    token = agent.http.cookies.get("roomline_session")
    key = f"{web_app.state.sessions.prefix}:session:{token}"
    assert 0 < await web_app.state.redis.ttl(key) <= web_app.state.settings.session_ttl_seconds
    await web_app.state.redis.delete(key)
    assert (await agent.page("/intake/")).status_code == 303


async def test_a_session_is_read_with_its_own_persons_epoch(login_as, web_app) -> None:
    """The token leads with its person's id (one MGET reads session and epoch): a token whose
    id was changed finds nothing, and raising that person's epoch ends the session."""
    agent = await login_as("flo", Role.AGENT)
    token = agent.http.cookies.get("roomline_session")
    user_id, _, secret = token.partition(".")
    store = web_app.state.sessions
    assert (await store.get(token)).username == "flo"
    assert await store.get(f"{int(user_id) + 1}.{secret}") is None
    assert await store.get(secret) is None
    await store.end_all(int(user_id), epoch=10**6)
    assert await store.get(token) is None
    assert (await agent.page("/intake/")).status_code == 303
