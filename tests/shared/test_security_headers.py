"""Issue 14: security headers on every response (once, also under the all-in-one app's mounts),
no inline script or event handler in any template (the CSP forbids them), and every cookie
``Secure`` when ``ROOMLINE_COOKIE_SECURE`` is on."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from shared.auth import Role
from shared.db import unit_of_work
from shared.web import (
    CONTENT_SECURITY_POLICY,
    DOCS_CONTENT_SECURITY_POLICY,
    SecurityHeadersMiddleware,
)
from tests.support.clients import create_user, password_for

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def assert_headers_once(response: httpx.Response, csp: str = CONTENT_SECURITY_POLICY) -> None:
    for name, value in {**EXPECTED, "content-security-policy": csp}.items():
        assert response.headers.get_list(name) == [value], (name, response.headers.get_list(name))


def test_the_policy_allows_no_inline_script() -> None:
    directives = dict([*part.split(" ", 1), ""][:2] for part in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["base-uri"] == "'self'"
    assert "data:" in directives["img-src"]


async def test_login_page_and_json_get_the_headers_once(
    http: Callable[[], Awaitable[httpx.AsyncClient]],
) -> None:
    client = await http()
    assert_headers_once(await client.get("/login"))
    assert_headers_once(await client.get("/healthz"))
    # A mounted service app's response passes two apps' middleware: still one of each.
    assert_headers_once(await client.get("/intake/healthz"))
    missing = await client.get("/contracts/no-such-page", headers={"accept": "text/html"})
    assert missing.status_code == 404
    assert_headers_once(missing)


async def test_desk_pages_static_files_and_docs(login_as: Callable[..., Awaitable[Any]]) -> None:
    staff = await login_as("hedy", Role.AGENT, Role.HOTEL_RESOURCES, Role.GENERAL_MANAGER)
    for path in ("/", "/intake/", "/contracts/", "/sla/"):
        page = await staff.page(path)
        assert page.status_code == 200, path
        assert "text/html" in page.headers["content-type"]
        assert_headers_once(page)
    script = await staff.get("/intake/static/js/search.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert_headers_once(script)
    # Swagger UI runs an inline script from FastAPI: its own relaxed policy, there only.
    for docs_path in ("/api/docs", "/contracts/api/docs"):
        docs = await staff.page(docs_path)
        assert docs.status_code == 200, docs_path
        assert_headers_once(docs, DOCS_CONTENT_SECURITY_POLICY)
    assert_headers_once(await staff.get("/contracts/api/openapi.json"))


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def _templates() -> list[Path]:
    return sorted(
        path
        for folder in ("services", "shared")
        for path in (ROOT / folder).rglob("*.html")
        if "pdf" not in path.parts  # rendered to PDF on the server, never served to browsers
    )


def test_no_template_has_inline_script_or_event_handlers() -> None:
    templates = _templates()
    assert len(templates) > 20
    offenders = [
        f"{path.relative_to(ROOT)}: {pattern.pattern}"
        for path in templates
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JS_URL)
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def _cookie_app(*, secure: bool) -> Any:
    async def endpoint(request: Request) -> PlainTextResponse:
        response = PlainTextResponse("ok")
        response.set_cookie("plain", "1")
        response.set_cookie("already", "2", secure=True)
        response.delete_cookie("gone")
        return response

    app = Starlette(routes=[Route("/", endpoint)])
    return SecurityHeadersMiddleware(app, cookie_secure=secure)


@pytest.mark.parametrize("secure", [True, False])
async def test_every_cookie_is_secure_when_the_setting_is_on(secure: bool) -> None:
    transport = httpx.ASGITransport(app=_cookie_app(secure=secure))
    async with httpx.AsyncClient(transport=transport, base_url="https://x.test") as client:
        response = await client.get("/")
    cookies = response.headers.get_list("set-cookie")
    assert len(cookies) == 3
    for cookie in cookies:
        assert cookie.lower().count("secure") == (1 if secure or "already" in cookie else 0)


async def test_login_and_session_cookies_secure_with_cookie_secure(
    web_app: Any, sessionmaker: Any
) -> None:
    """The gateway's own cookies (login CSRF, session) ask for Secure themselves."""
    async with unit_of_work(sessionmaker) as session:
        await create_user(session, "sam", Role.AGENT)
    settings = web_app.state.settings
    web_app.state.settings = settings.model_copy(update={"cookie_secure": True})
    try:
        await _log_in_over_https(web_app)
    finally:
        web_app.state.settings = settings


async def _log_in_over_https(web_app: Any) -> None:
    transport = httpx.ASGITransport(app=web_app)
    async with httpx.AsyncClient(transport=transport, base_url="https://roomline.test") as client:
        form = await client.get("/login")
        csrf_cookie = form.headers["set-cookie"]
        assert csrf_cookie.startswith("roomline_login_csrf=")
        assert "; secure" in csrf_cookie.lower()
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token
        login = await client.post(
            "/login",
            data={"username": "sam", "password": password_for("sam"), "csrf_token": token[1]},
        )
        assert login.status_code == 303
        session_cookie = next(
            c for c in login.headers.get_list("set-cookie") if c.startswith("roomline_session")
        )
        assert "; secure" in session_cookie.lower()


async def test_same_app_standalone_gets_the_headers() -> None:
    """A service run alone (uvicorn services.<name>.app:app) has the middleware itself."""
    from services.metrics.app import app

    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sla.test") as client:
            assert_headers_once(await client.get("/healthz"))
