"""Redis or PostgreSQL unreachable while logging in or opening a page with a session: a
readable 503 (a page for browsers, JSON for the API), never a 500."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from services.gateway.endpoints import router
from services.gateway.settings import GatewaySettings
from services.gateway.staff_admin import router as staff_admin_router
from shared.web import create_service_app

CLOSED = {"redis_url": "redis://127.0.0.1:1/0"}  # nothing listens on port 1


def _gateway(**broken: str) -> FastAPI:
    settings = GatewaySettings().model_copy(update=broken)
    templates = Path(__file__).parents[3] / "services" / "gateway" / "ui" / "templates"
    return create_service_app(
        service="gateway",
        title="gateway",
        settings=settings,
        routers=[router, staff_admin_router],
        templates_dir=templates,
    )


async def _client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            # A token as the gateway issues them: the person's id, a dot, the secret.
            client.cookies.set("roomline_session", "7.some-session-token")
            yield client


@pytest.fixture
async def no_redis() -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(_gateway(**CLOSED)):
        yield client


@pytest.fixture
async def no_database() -> AsyncIterator[httpx.AsyncClient]:
    url = "postgresql+asyncpg://postgres@127.0.0.1:1/roomline"
    async for client in _client(_gateway(database_url=url)):
        yield client


async def test_a_page_with_a_session_answers_503_when_redis_is_down(no_redis) -> None:
    page = await no_redis.get("/admin/staff", headers={"accept": "text/html"})
    api = await no_redis.get("/api/staff")

    assert page.status_code == 503 and "text/html" in page.headers["content-type"]
    assert "不可用" in page.text and "unavailable" in page.text
    assert api.status_code == 503 and api.json()["error"] == "service_unavailable"


async def _login(client: httpx.AsyncClient, accept: str) -> httpx.Response:
    form = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    data = {"username": "ana", "password": "whatever-it-is", "csrf_token": token.group(1)}
    return await client.post("/login", data=data, headers={"accept": accept})


async def test_login_answers_503_when_redis_is_down(no_redis) -> None:
    page = await _login(no_redis, "text/html")
    api = await _login(no_redis, "application/json")

    assert page.status_code == 503 and "unavailable" in page.text
    assert api.status_code == 503 and api.json()["error"] == "service_unavailable"


async def test_login_answers_503_when_postgresql_is_down(no_database) -> None:
    page = await _login(no_database, "text/html")
    api = await _login(no_database, "application/json")

    assert page.status_code == 503 and "unavailable" in page.text
    assert api.status_code == 503 and api.json()["error"] == "service_unavailable"
