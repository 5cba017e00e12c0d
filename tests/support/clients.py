"""Logged-in HTTP clients against the all-in-one app, in-process or over a real socket."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway import service as gateway_service
from services.gateway.schemas import NewStaff
from shared.auth import Role

_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
_META_CSRF_RE = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


def password_for(username: str) -> str:
    return f"test-{username}-password"


async def create_user(session: AsyncSession, username: str, *roles: Role) -> str:
    """Create a staff user (the caller commits); returns the password."""
    await gateway_service.create_staff(
        session,
        actor="tests",
        new=NewStaff(
            username=username,
            display_name=username.title(),
            password=password_for(username),
            roles=list(roles),
        ),
    )
    return password_for(username)


class StaffClient:
    """An httpx client holding one person's session cookie and CSRF token."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.http = client
        self.csrf = ""

    async def login(self, username: str, password: str | None = None) -> StaffClient:
        page = await self.http.get("/login")
        token = _CSRF_RE.search(page.text)
        assert token, "login form has no CSRF token"
        response = await self.http.post(
            "/login",
            data={
                "username": username,
                "password": password or password_for(username),
                "csrf_token": token.group(1),
                "next": "/",
            },
        )
        assert response.status_code == 303, (
            f"login failed: {response.status_code} {response.text[:300]}"
        )
        shell = await self.http.get("/", headers={"accept": "text/html"})
        meta = _META_CSRF_RE.search(shell.text)
        assert meta and meta.group(1), "shell page has no CSRF token"
        self.csrf = meta.group(1)
        return self

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.get(path, **kwargs)

    async def page(self, path: str, **kwargs: Any) -> httpx.Response:
        """GET as a browser would (HTML)."""
        return await self.http.get(path, headers={"accept": "text/html"}, **kwargs)

    async def post_form(self, path: str, data: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return await self.http.post(
            path, data={**data, "csrf_token": self.csrf}, headers={"accept": "text/html"}, **kwargs
        )

    async def post_json(self, path: str, body: Any, **kwargs: Any) -> httpx.Response:
        return await self.http.post(path, json=body, headers={"x-csrf-token": self.csrf}, **kwargs)

    async def request_json(self, method: str, path: str, body: Any) -> httpx.Response:
        return await self.http.request(method, path, json=body, headers={"x-csrf-token": self.csrf})


def create_user_sync(username: str, *roles: Role) -> str:
    """For sync (browser) tests: create a staff user through the gateway's service code."""
    import asyncio

    from shared.db import make_engine, make_sessionmaker, unit_of_work
    from tests.support.infra import INFRA

    async def _create() -> str:
        engine = make_engine(INFRA.database_url, pool_size=1)
        try:
            async with unit_of_work(make_sessionmaker(engine)) as session:
                return await create_user(session, username, *roles)
        finally:
            await engine.dispose()

    return asyncio.run(_create())
