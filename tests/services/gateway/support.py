"""Helpers of the gateway's tests: login attempts as a browser sends them."""

from __future__ import annotations

import re

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.auth import Role
from shared.db import unit_of_work
from tests.support.clients import create_user

_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


async def attempt(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    """One login through the form (with its CSRF cookie and token)."""
    form = await client.get("/login")
    token = _CSRF_RE.search(form.text)
    assert token
    data = {"username": username, "password": password, "csrf_token": token.group(1)}
    return await client.post("/login", data=data)


async def make_user(
    sessionmaker: async_sessionmaker[AsyncSession], username: str, *roles: Role
) -> str:
    async with unit_of_work(sessionmaker) as session:
        return await create_user(session, username, *roles)


async def user_id(admin: object, username: str) -> int:
    listing = await admin.get("/api/staff")  # type: ignore[attr-defined]
    assert listing.status_code == 200, listing.text
    return next(u["user_id"] for u in listing.json() if u["username"] == username)
