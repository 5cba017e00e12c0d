"""Issue 14: request bodies are capped before they are read. A body declared over the cap gets
413 at once, unread; a chunked body is read only up to the cap; upload routes have their own
larger caps, decided by the service app that owns the route (also when mounted)."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from services.contracts.imports.sheet import MAX_BYTES as SHEET_MAX_BYTES
from shared.auth import Role
from shared.web import BodyLimit, BodyLimitMiddleware, WebGuardSettings

MiB = 1024 * 1024
HUNDRED_MB = 100 * MiB
CAP = WebGuardSettings().body_max_bytes


class Body:
    """A request body that counts what the app pulled from it."""

    def __init__(self, chunk: bytes = b"{" + b" " * 65_534 + b"}", limit: int = HUNDRED_MB) -> None:
        self.chunk = chunk
        self.limit = limit
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.sent < self.limit:
            self.sent += len(self.chunk)
            yield self.chunk


def test_the_default_cap_is_one_mib() -> None:
    assert CAP == MiB


@pytest.mark.parametrize("path", ["/login", "/intake/api/handover/entries", "/contracts/hotels"])
async def test_a_declared_100_mb_json_body_is_refused_unread(
    http: Callable[[], Awaitable[httpx.AsyncClient]], path: str
) -> None:
    client = await http()
    body = Body()
    started = time.monotonic()
    response = await client.post(
        path,
        content=body,
        headers={"content-type": "application/json", "content-length": str(HUNDRED_MB)},
    )
    assert response.status_code == 413
    assert time.monotonic() - started < 2
    assert body.sent <= len(body.chunk)  # nothing (or one chunk, buffered by httpx) was read
    payload = response.json()
    assert payload["error"] == "too_large"
    assert f"Request body over {CAP} bytes" in payload["detail"]
    assert "请求过大" in payload["detail"]
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_a_chunked_body_is_read_only_up_to_the_cap(
    http: Callable[[], Awaitable[httpx.AsyncClient]],
) -> None:
    client = await http()
    body = Body()
    response = await client.post(
        "/login", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert body.sent <= CAP + 2 * len(body.chunk)


async def test_a_browser_gets_a_short_page(
    http: Callable[[], Awaitable[httpx.AsyncClient]],
) -> None:
    client = await http()
    response = await client.post(
        "/login",
        content=Body(),
        headers={
            "accept": "text/html,application/xhtml+xml",
            "content-type": "application/x-www-form-urlencoded",
            "content-length": str(HUNDRED_MB),
        },
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "Request body over" in response.text and "请求过大" in response.text


async def test_a_small_chunked_body_still_reaches_the_route(
    http: Callable[[], Awaitable[httpx.AsyncClient]],
) -> None:
    client = await http()
    response = await client.post(
        "/login",
        content=Body(chunk=b"username=x&password=y", limit=1),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 403  # read and parsed: the login form's CSRF check answers


async def test_upload_routes_take_their_own_larger_cap(
    login_as: Callable[..., Awaitable[Any]],
) -> None:
    """The contracts sheet import takes 16 MiB (plus multipart framing); the gateway's 1 MiB
    default does not apply to a route of a mounted service; a photo over its 8 MiB is refused."""
    staff = await login_as("rita", Role.HOTEL_RESOURCES)
    two_mib = b"hotel,night\n" + b"x" * (2 * MiB)
    accepted = await staff.http.post(
        "/contracts/api/imports",
        files={"file": ("rates.csv", two_mib, "text/csv")},
        headers={"x-csrf-token": staff.csrf},
    )
    assert accepted.status_code != 413, accepted.text[:300]
    over = Body()
    refused = await staff.http.post(
        "/contracts/api/imports",
        content=over,
        headers={
            "content-type": "multipart/form-data; boundary=x",
            "content-length": str(SHEET_MAX_BYTES + 1 * MiB),
            "x-csrf-token": staff.csrf,
        },
    )
    assert refused.status_code == 413
    assert str(SHEET_MAX_BYTES + 64 * 1024) in refused.json()["detail"]
    assert over.sent <= len(over.chunk)
    photo = await staff.http.post(
        f"/contracts/hotels/{uuid.uuid4()}/photos",
        content=Body(),
        headers={"content-type": "multipart/form-data; boundary=x", "content-length": str(9 * MiB)},
    )
    assert photo.status_code == 413
    # JSON routes of the same service keep the default.
    json_route = await staff.http.post(
        "/contracts/api/anything",
        content=Body(),
        headers={"content-type": "application/json", "content-length": str(2 * MiB)},
    )
    assert json_route.status_code == 413


def test_the_table_matches_prefixes_at_segment_boundaries() -> None:
    guard = BodyLimitMiddleware(
        app=None,  # type: ignore[arg-type]
        default_max_bytes=10,
        limits=[
            BodyLimit("/imports", 100),
            BodyLimit("/api/ota", 50),
            BodyLimit("/hotels/*/photos", 80),
        ],
    )
    assert guard.cap_for("/imports") == 100
    assert guard.cap_for("/imports/") == 100
    assert guard.cap_for("/importsx") == 10
    assert guard.cap_for("/api/ota/HotelAvailNotif") == 50
    assert guard.cap_for("/hotels/abc/photos") == 80
    assert guard.cap_for("/hotels/abc/photos/1/delete") == 80
    assert guard.cap_for("/hotels/abc") == 10
    assert guard.cap_for("/login") == 10
